#ifndef IDGATE_CNGHTTP2_SHIM_H
#define IDGATE_CNGHTTP2_SHIM_H
#include <nghttp2/nghttp2.h>
#endif
