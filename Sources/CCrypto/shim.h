#ifndef CUBEGEN_CCRYPTO_SHIM_H
#define CUBEGEN_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif
