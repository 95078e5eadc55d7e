/* C API of the frame-preprocessing library, for callers that cannot use C++ classes (JNI, Swift, Go,
 * plain C). Plain structs and status codes over include/vidlite/preprocess.h, same semantics and bit
 * for bit the same output: see that header for what each field means. No call throws, aborts or
 * reads a NULL pointer; a failed call returns a status and leaves a message for vl_last_error(). */
#ifndef VIDLITE_PREPROCESS_C_H_
#define VIDLITE_PREPROCESS_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Enumerators in the order of the C++ enums (preprocess_c.cc asserts it). */
typedef enum { VL_BGR, VL_RGB, VL_BGRA, VL_RGBA, VL_GRAY, VL_NV12, VL_NV21, VL_I420 } vl_pixel_format;
typedef enum { VL_BT601, VL_BT709 } vl_color_matrix;
typedef enum { VL_RANGE_LIMITED, VL_RANGE_FULL } vl_color_range;
typedef enum { VL_RESIZE_BILINEAR, VL_RESIZE_AREA, VL_RESIZE_PIL_BILINEAR, VL_RESIZE_PIL_BICUBIC } vl_resize;
typedef enum { VL_FIT_STRETCH, VL_FIT_CENTER_CROP, VL_FIT_LETTERBOX } vl_fit;
typedef enum { VL_ORDER_RGB, VL_ORDER_BGR, VL_ORDER_GRAY } vl_channel_order;
typedef enum { VL_LAYOUT_NCHW, VL_LAYOUT_NHWC } vl_layout;
typedef enum { VL_FLOAT32, VL_FLOAT16, VL_UINT8, VL_INT8 } vl_dtype;

typedef enum {
  VL_OK = 0,
  VL_ERROR_NULL_ARGUMENT = 1,    /* a required pointer is NULL */
  VL_ERROR_INVALID_ARGUMENT = 2, /* spec, frames, roi, count or output size rejected */
  VL_ERROR_OUT_OF_MEMORY = 3,
  VL_ERROR_INTERNAL = 4 /* a bug: please report vl_last_error() */
} vl_status;

/* vidlite::Spec. Fill it with vl_spec_init (std 1, everything else 0 or the first enumerator), then
 * set what the model needs: a zeroed struct has std 0, which is rejected. */
typedef struct {
  int width, height;
  vl_resize resize;
  vl_fit fit;
  int shortest_edge;
  double pad_value;
  double mean[3];
  double std[3];
  vl_channel_order order;
  vl_layout layout;
  vl_dtype dtype;
  int quantized; /* nonzero: quant_scale and quant_zero_point apply */
  double quant_scale;
  int quant_zero_point;
} vl_spec;

/* vidlite::Image: one source frame; a zeroed struct is a BT.601 limited-range BGR frame of no size. */
typedef struct {
  vl_pixel_format format;
  int width, height;
  const uint8_t* plane[3];
  ptrdiff_t stride[3];
  vl_color_matrix matrix;
  vl_color_range range;
} vl_image;

/* vidlite::Roi: width 0 (or a NULL roi) is the whole frame. */
typedef struct {
  int x, y, width, height;
} vl_roi;

typedef struct vl_preprocessor vl_preprocessor;

void vl_spec_init(vl_spec* spec);
/* Bytes of one preprocessed frame; 0 for a NULL or invalid spec. */
size_t vl_output_bytes(const vl_spec* spec);
/* "scalar", "avx2" or "neon": the kernel variant the next call dispatches to. */
const char* vl_kernel_variant(void);
/* Why the last failed call on this thread failed ("" if none has): valid until the next call. */
const char* vl_last_error(void);

/* vidlite::Preprocess: `count` frames of one format and size into `out` (count * vl_output_bytes). */
vl_status vl_preprocess(const vl_spec* spec, const vl_image* images, int count, const vl_roi* roi, void* out,
                        size_t out_bytes, int threads);

/* vidlite::Preprocessor: keeps the plan of the last frame geometry between runs; run may be called
 * from several threads at once. On failure *out_pp is set to NULL. */
vl_status vl_preprocessor_create(const vl_spec* spec, vl_preprocessor** out_pp);
vl_status vl_preprocessor_run(vl_preprocessor* pp, const vl_image* images, int count, const vl_roi* roi, void* out,
                              size_t out_bytes, int threads);
void vl_preprocessor_destroy(vl_preprocessor* pp); /* NULL is a no-op */

#ifdef __cplusplus
}
#endif

#endif /* VIDLITE_PREPROCESS_C_H_ */
