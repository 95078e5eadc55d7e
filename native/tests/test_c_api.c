/* The C API from C: vl_preprocess and a vl_preprocessor equal the C++ API bit for bit on BGR, NV12
 * and I420 frames through every resize (c_api_reference.cc describes each case again in C++), and
 * every bad argument returns its status code and a message instead of crashing. Prints "N passed,
 * N failed" like vidlite_native_tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "c_api_reference.h"
#include "vidlite/preprocess_c.h"

static int g_failures = 0;

#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      ++g_failures;                                                                  \
      printf("  FAIL %s:%d: %s (%s)\n", __FILE__, __LINE__, #cond, vl_last_error()); \
    }                                                                                \
  } while (0)

enum { kWidth = 96, kHeight = 64 };

/* One frame of each tested format, rows padded, filled with reproducible noise. */
typedef struct {
  vl_image bgr, nv12, i420;
  uint8_t* bytes;
} Frames;

static Frames MakeFrames(void) {
  Frames f;
  const ptrdiff_t bgr_stride = 3 * kWidth + 8, y_stride = kWidth + 4, c_stride = kWidth / 2 + 2;
  const size_t bgr = (size_t)bgr_stride * kHeight, y = (size_t)y_stride * kHeight;
  const size_t uv = (size_t)y_stride * (kHeight / 2), c = (size_t)c_stride * (kHeight / 2);
  const size_t total = bgr + 2 * y + uv + 2 * c;
  uint32_t state = 12345u;
  size_t i;
  memset(&f, 0, sizeof f);
  f.bytes = (uint8_t*)malloc(total);
  for (i = 0; i < total; ++i) {
    state = state * 1664525u + 1013904223u;
    f.bytes[i] = (uint8_t)(state >> 24);
  }
  f.bgr.format = VL_BGR;
  f.bgr.plane[0] = f.bytes, f.bgr.stride[0] = bgr_stride;
  f.nv12.format = VL_NV12;
  f.nv12.plane[0] = f.bytes + bgr, f.nv12.stride[0] = y_stride;
  f.nv12.plane[1] = f.bytes + bgr + y, f.nv12.stride[1] = y_stride;
  f.i420.format = VL_I420;
  f.i420.plane[0] = f.bytes + bgr + y + uv, f.i420.stride[0] = y_stride;
  f.i420.plane[1] = f.bytes + bgr + 2 * y + uv, f.i420.stride[1] = c_stride;
  f.i420.plane[2] = f.bytes + bgr + 2 * y + uv + c, f.i420.stride[2] = c_stride;
  f.bgr.width = f.nv12.width = f.i420.width = kWidth;
  f.bgr.height = f.nv12.height = f.i420.height = kHeight;
  return f;
}

static vl_spec Spec(int w, int h, vl_resize r, vl_fit f, vl_channel_order o, vl_layout l, vl_dtype d) {
  vl_spec s;
  vl_spec_init(&s);
  s.width = w, s.height = h, s.resize = r, s.fit = f, s.order = o, s.layout = l, s.dtype = d;
  return s;
}

static void SetImagenet(vl_spec* s) {
  const double mean[3] = {0.485, 0.456, 0.406}, std[3] = {0.229, 0.224, 0.225};
  memcpy(s->mean, mean, sizeof mean);
  memcpy(s->std, std, sizeof std);
}

/* Case `name` (as c_api_reference.cc knows it) through the C API, one-shot and with a preprocessor
 * (twice: a new plan, then the kept one on 2 threads), against the C++ API. */
static void ExpectSameAsCpp(const char* name, const vl_spec* spec, vl_image im, const vl_roi* roi) {
  const size_t bytes = vl_output_bytes(spec);
  uint8_t *ref = (uint8_t*)malloc(bytes), *got = (uint8_t*)malloc(bytes);
  vl_preprocessor* pp = NULL;
  int run;
  printf("  %s: %zu bytes\n", name, bytes);
  CHECK(bytes > 0);
  CHECK(vl_test_reference(name, im.plane, im.stride, im.width, im.height, ref, bytes) == bytes);
  memset(got, 0xA5, bytes);
  CHECK(vl_preprocess(spec, &im, 1, roi, got, bytes, 1) == VL_OK);
  CHECK(memcmp(ref, got, bytes) == 0);
  CHECK(vl_preprocessor_create(spec, &pp) == VL_OK && pp != NULL);
  for (run = 1; run <= 2; ++run) {
    memset(got, 0xA5, bytes);
    CHECK(vl_preprocessor_run(pp, &im, 1, roi, got, bytes, run) == VL_OK);
    CHECK(memcmp(ref, got, bytes) == 0);
  }
  vl_preprocessor_destroy(pp);
  free(ref);
  free(got);
}

static void TestSameAsCpp(const Frames* f) {
  vl_spec s;
  vl_image nv12_709 = f->nv12;
  const vl_roi roi = {8, 4, 64, 48};

  s = Spec(40, 30, VL_RESIZE_BILINEAR, VL_FIT_STRETCH, VL_ORDER_RGB, VL_LAYOUT_NCHW, VL_FLOAT32);
  SetImagenet(&s);
  ExpectSameAsCpp("bgr bilinear stretch f32 nchw", &s, f->bgr, NULL);

  s = Spec(40, 40, VL_RESIZE_AREA, VL_FIT_LETTERBOX, VL_ORDER_BGR, VL_LAYOUT_NHWC, VL_UINT8);
  s.pad_value = 114;
  ExpectSameAsCpp("bgr area letterbox u8 nhwc", &s, f->bgr, NULL);

  s = Spec(32, 32, VL_RESIZE_PIL_BICUBIC, VL_FIT_CENTER_CROP, VL_ORDER_RGB, VL_LAYOUT_NCHW, VL_FLOAT16);
  s.shortest_edge = 36;
  s.mean[0] = s.mean[1] = s.mean[2] = s.std[0] = s.std[1] = s.std[2] = 0.5;
  ExpectSameAsCpp("bgr pil-bicubic shortest edge f16", &s, f->bgr, NULL);

  s = Spec(24, 24, VL_RESIZE_BILINEAR, VL_FIT_STRETCH, VL_ORDER_RGB, VL_LAYOUT_NCHW, VL_FLOAT32);
  nv12_709.matrix = VL_BT709, nv12_709.range = VL_RANGE_FULL;
  ExpectSameAsCpp("nv12 bilinear roi bt709 full", &s, nv12_709, &roi);

  s = Spec(32, 24, VL_RESIZE_PIL_BILINEAR, VL_FIT_CENTER_CROP, VL_ORDER_RGB, VL_LAYOUT_NHWC, VL_INT8);
  SetImagenet(&s);
  s.quantized = 1, s.quant_scale = 0.02, s.quant_zero_point = -3;
  ExpectSameAsCpp("nv12 pil-bilinear center crop int8 nhwc", &s, f->nv12, NULL);

  s = Spec(40, 30, VL_RESIZE_BILINEAR, VL_FIT_STRETCH, VL_ORDER_GRAY, VL_LAYOUT_NCHW, VL_FLOAT32);
  ExpectSameAsCpp("i420 bilinear gray", &s, f->i420, NULL);

  s = Spec(36, 36, VL_RESIZE_AREA, VL_FIT_LETTERBOX, VL_ORDER_BGR, VL_LAYOUT_NCHW, VL_FLOAT32);
  ExpectSameAsCpp("i420 area letterbox bgr", &s, f->i420, NULL);
}

/* A batch of two frames equals the two frames one by one. */
static void TestBatch(const Frames* f) {
  const vl_spec s = Spec(40, 30, VL_RESIZE_BILINEAR, VL_FIT_STRETCH, VL_ORDER_RGB, VL_LAYOUT_NCHW, VL_FLOAT32);
  const vl_image batch[2] = {f->nv12, f->nv12};
  const size_t bytes = vl_output_bytes(&s);
  uint8_t *one = (uint8_t*)malloc(bytes), *two = (uint8_t*)malloc(2 * bytes);
  CHECK(vl_preprocess(&s, &f->nv12, 1, NULL, one, bytes, 1) == VL_OK);
  CHECK(vl_preprocess(&s, batch, 2, NULL, two, 2 * bytes, 2) == VL_OK);
  CHECK(memcmp(one, two, bytes) == 0 && memcmp(one, two + bytes, bytes) == 0);
  CHECK(vl_preprocess(&s, batch, 2, NULL, two, 2 * bytes - 1, 1) == VL_ERROR_INVALID_ARGUMENT);
  free(one);
  free(two);
}

static void TestErrors(const Frames* f) {
  const vl_spec good = Spec(16, 16, VL_RESIZE_BILINEAR, VL_FIT_STRETCH, VL_ORDER_RGB, VL_LAYOUT_NCHW, VL_FLOAT32);
  const size_t bytes = vl_output_bytes(&good);
  float* out = (float*)malloc(bytes);
  vl_spec s, zeroed;
  vl_image im;
  vl_roi roi = {80, 0, 32, 16};               /* past the right edge */
  vl_preprocessor* pp = (vl_preprocessor*)&s; /* not NULL: a failed create must reset it */

  CHECK(bytes == 3 * 16 * 16 * sizeof(float));
  /* NULL pointers */
  CHECK(vl_preprocess(NULL, &f->bgr, 1, NULL, out, bytes, 1) == VL_ERROR_NULL_ARGUMENT);
  CHECK(strstr(vl_last_error(), "spec") != NULL);
  CHECK(vl_preprocess(&good, NULL, 1, NULL, out, bytes, 1) == VL_ERROR_NULL_ARGUMENT);
  CHECK(vl_preprocess(&good, &f->bgr, 1, NULL, NULL, bytes, 1) == VL_ERROR_NULL_ARGUMENT);
  CHECK(vl_preprocessor_create(NULL, &pp) == VL_ERROR_NULL_ARGUMENT && pp == NULL);
  CHECK(vl_preprocessor_create(&good, NULL) == VL_ERROR_NULL_ARGUMENT);
  CHECK(vl_preprocessor_run(NULL, &f->bgr, 1, NULL, out, bytes, 1) == VL_ERROR_NULL_ARGUMENT);
  CHECK(vl_output_bytes(NULL) == 0);
  vl_preprocessor_destroy(NULL);
  im = f->bgr, im.plane[0] = NULL;
  CHECK(vl_preprocess(&good, &im, 1, NULL, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);

  /* bad specs: a zeroed struct (std 0), sizes, enumerators out of range */
  memset(&zeroed, 0, sizeof zeroed);
  zeroed.width = zeroed.height = 16;
  CHECK(vl_preprocess(&zeroed, &f->bgr, 1, NULL, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);
  CHECK(vl_output_bytes(&zeroed) == 0);
  s = good, s.width = 0;
  CHECK(vl_preprocessor_create(&s, &pp) == VL_ERROR_INVALID_ARGUMENT && pp == NULL);
  CHECK(strstr(vl_last_error(), "width") != NULL);
  s = good, s.resize = (vl_resize)99;
  CHECK(vl_preprocess(&s, &f->bgr, 1, NULL, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);
  s = good, s.dtype = (vl_dtype)-1;
  CHECK(vl_output_bytes(&s) == 0);

  /* bad frames, count, roi, output size */
  im = f->bgr, im.format = (vl_pixel_format)8;
  CHECK(vl_preprocess(&good, &im, 1, NULL, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);
  im = f->bgr, im.width = 0;
  CHECK(vl_preprocess(&good, &im, 1, NULL, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);
  im = f->nv12, im.width = kWidth - 1;
  CHECK(vl_preprocess(&good, &im, 1, NULL, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);
  im = f->bgr, im.stride[0] = 3 * kWidth - 1;
  CHECK(vl_preprocess(&good, &im, 1, NULL, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);
  CHECK(strstr(vl_last_error(), "stride") != NULL);
  CHECK(vl_preprocess(&good, &f->bgr, 0, NULL, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);
  CHECK(vl_preprocess(&good, &f->bgr, 1, &roi, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);
  CHECK(vl_preprocess(&good, &f->bgr, 1, NULL, out, bytes - 1, 1) == VL_ERROR_INVALID_ARGUMENT);
  CHECK(vl_preprocessor_create(&good, &pp) == VL_OK);
  CHECK(vl_preprocessor_run(pp, &f->bgr, 1, &roi, out, bytes, 1) == VL_ERROR_INVALID_ARGUMENT);
  CHECK(vl_preprocessor_run(pp, &f->bgr, 1, NULL, out, bytes, 1) == VL_OK); /* still usable */
  vl_preprocessor_destroy(pp);
  free(out);
}

static int Run(const char* name, void (*test)(const Frames*), const Frames* f) {
  const int before = g_failures;
  test(f);
  printf("%s %s\n", g_failures == before ? "ok  " : "FAIL", name);
  return g_failures == before;
}

int main(void) {
  Frames f = MakeFrames();
  int passed = 0;
  printf("  kernel variant: %s\n", vl_kernel_variant());
  passed += Run("SameAsCpp", TestSameAsCpp, &f);
  passed += Run("Batch", TestBatch, &f);
  passed += Run("Errors", TestErrors, &f);
  free(f.bytes);
  printf("%d passed, %d failed\n", passed, 3 - passed);
  return passed == 3 ? 0 : 1;
}
