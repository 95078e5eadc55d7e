/* The C++ API's output for a case of test_c_api.c, for the C test to compare bit for bit. */
#ifndef VIDLITE_TESTS_C_API_REFERENCE_H_
#define VIDLITE_TESTS_C_API_REFERENCE_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runs case `name` on the frame (planes and strides of the case's format, width x height) through
 * vidlite::Preprocess; returns the bytes written to out, 0 for an unknown case or a failed call. */
size_t vl_test_reference(const char* name, const uint8_t* const planes[3], const ptrdiff_t strides[3], int width,
                         int height, void* out, size_t out_bytes);

#ifdef __cplusplus
}
#endif

#endif /* VIDLITE_TESTS_C_API_REFERENCE_H_ */
