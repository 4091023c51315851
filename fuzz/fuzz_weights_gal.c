/* libFuzzer target: the gal weights parser (src/weights/io_gal.c). Run with fuzz/run_weights.sh. */
#include "fuzz_weights_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_weights_format(data, size, 0); }
