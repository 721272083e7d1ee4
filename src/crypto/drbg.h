/* SPDX-License-Identifier: MIT */
/* The DRBG is part of the public API (swsev/drbg.h); this keeps the layer's include path. */
#include "swsev/drbg.h"
