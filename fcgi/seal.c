/* AES-256-GCM sealing of stored secrets: nonce | ciphertext | tag. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "seal.h"

#define NONCE_LEN	12
#define TAG_LEN		16

int
seal_key_parse(const char *hex, unsigned char key[SEAL_KEY_LEN])
{
	unsigned int	 byte;
	size_t		 i;

	if (hex == NULL || strlen(hex) != 2 * SEAL_KEY_LEN)
		return -1;
	for (i = 0; i < SEAL_KEY_LEN; i++) {
		if (strspn(hex + 2 * i, "0123456789abcdefABCDEF") < 2 ||
		    sscanf(hex + 2 * i, "%2x", &byte) != 1)
			return -1;
		key[i] = (unsigned char)byte;
	}
	return 0;
}

int
seal(const unsigned char key[SEAL_KEY_LEN], const char *plain, size_t len,
    unsigned char *out)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n, ok;

	if (RAND_bytes(out, NONCE_LEN) != 1 ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, out) == 1 &&
	    EVP_EncryptUpdate(ctx, out + NONCE_LEN, &n,
	    (const unsigned char *)plain, (int)len) == 1 &&
	    EVP_EncryptFinal_ex(ctx, out + NONCE_LEN + n, &n) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    out + NONCE_LEN + len) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int
unseal(const unsigned char key[SEAL_KEY_LEN], const unsigned char *in,
    size_t inlen, char *plain, size_t plainsz)
{
	EVP_CIPHER_CTX	*ctx;
	size_t		 len;
	int		 n, ok;

	if (inlen < SEAL_OVERHEAD || inlen - SEAL_OVERHEAD >= plainsz ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	len = inlen - SEAL_OVERHEAD;
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, in) == 1 &&
	    EVP_DecryptUpdate(ctx, (unsigned char *)plain, &n,
	    in + NONCE_LEN, (int)len) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
	    (void *)(in + NONCE_LEN + len)) == 1 &&
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)plain + n, &n) == 1;
	EVP_CIPHER_CTX_free(ctx);
	plain[ok ? len : 0] = '\0';
	return ok ? 0 : -1;
}
