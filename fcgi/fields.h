/*
 * Pure validators for Stripe's customer fields (issue 15): ISO 3166-1
 * countries, postal codes per country where the rule is cheap, preferred
 * locales, invoice prefixes and tax ids per type. Patterns are PCRE2,
 * compiled once per process on first use. Nothing here touches a request.
 */
#ifndef FIELDS_H
#define FIELDS_H

#include <stddef.h>

#define FIELDS_TEXT_MAX		5000	/* Stripe's limit on a string */
#define FIELDS_LOCALES_MAX	10	/* preferred_locales items */
#define FIELDS_PREFIX_LEN	8	/* a generated invoice_prefix */

/* 0 if "code" is an ISO 3166-1 alpha-2 code (upper case); -1 otherwise. */
int	fields_country(const char *code);
/* 0 if "postal" fits the postal code rule of "country" (or the country
 * has no rule here); -1 otherwise. "country" must be valid. */
int	fields_postal_code(const char *country, const char *postal);
/* 0 if "tag" is a BCP 47 language tag of the form Stripe accepts:
 * language, optional script, optional region ("en", "zh-Hant-TW"). */
int	fields_locale(const char *tag);
/* 0 if "prefix" is 3 to 12 upper-case letters or digits (Stripe). */
int	fields_invoice_prefix(const char *prefix);
/* Writes a new random prefix of FIELDS_PREFIX_LEN characters into "out"
 * (size > FIELDS_PREFIX_LEN). Returns 0 or -1 (no randomness). */
int	fields_new_invoice_prefix(char *out, size_t outsz);
/*
 * 0 if "type" is a tax id type we know and "value" matches its pattern;
 * "country" (3 bytes) gets the country the id belongs to. -1 with *known
 * set to 0 for an unknown type, 1 for a bad value.
 */
int	fields_tax_id(const char *type, const char *value, char *country,
	    int *known);
/* The known tax id types, comma-separated, for error messages. */
const char *fields_tax_id_types(void);

#endif
