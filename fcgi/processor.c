/*
 * The built-in test-mode processor: the outcome of a charge follows the
 * test token, as in Stripe's test mode. "pm_card_chargeDeclined" and
 * "pm_card_insufficientFunds" decline; every other known token succeeds.
 */
#include <stdio.h>
#include <string.h>

#include "processor.h"

struct test_card {
	const char	*token;
	const char	*brand;
	const char	*last4;
	const char	*failure;	/* NULL: the charge succeeds */
};

/* Test cards by name, after "pm_" (or "tok_" without "card_"). */
static const struct test_card cards[] = {
	{ "card_visa", "visa", "4242", NULL },
	{ "card_visa_debit", "visa", "5556", NULL },
	{ "card_mastercard", "mastercard", "4444", NULL },
	{ "card_amex", "amex", "8431", NULL },
	{ "card_discover", "discover", "1117", NULL },
	{ "card_chargeDeclined", "visa", "0002", "card_declined" },
	{ "card_insufficientFunds", "visa", "9995", "insufficient_funds" },
};

#define MPESA_PREFIX	"tok_mpesa_"
#define TEST_EXP_MONTH	12
#define TEST_EXP_YEAR	2034

/* "pm_card_visa" or Stripe's older "tok_visa" spelling. */
static const struct test_card *
find_card(const char *token)
{
	size_t	 i;

	for (i = 0; i < sizeof(cards) / sizeof(cards[0]); i++) {
		if (strncmp(token, "pm_", 3) == 0 &&
		    strcmp(token + 3, cards[i].token) == 0)
			return &cards[i];
		if (strncmp(token, "tok_", 4) == 0 &&
		    strcmp(token + 4, cards[i].token + 5) == 0)
			return &cards[i];
	}
	return NULL;
}

/* tok_mpesa_ and an international number of 9 to 15 digits. */
static int
mpesa_phone_ok(const char *digits)
{
	size_t	 n = strspn(digits, "0123456789");

	return n >= 9 && n <= 15 && digits[n] == '\0' ? 0 : -1;
}

int
processor_token(const char *token, struct pm_details *out)
{
	const struct test_card	*card;
	const char		*phone;

	memset(out, 0, sizeof(*out));
	if (strncmp(token, MPESA_PREFIX, strlen(MPESA_PREFIX)) == 0) {
		phone = token + strlen(MPESA_PREFIX);
		if (mpesa_phone_ok(phone) == -1)
			return -1;
		out->type = "mobile_money";
		out->provider = "mpesa";
		snprintf(out->last4, sizeof(out->last4), "%s",
		    phone + strlen(phone) - 4);
		return 0;
	}
	if ((card = find_card(token)) == NULL)
		return -1;
	out->type = "card";
	out->brand = card->brand;
	snprintf(out->last4, sizeof(out->last4), "%s", card->last4);
	out->exp_month = TEST_EXP_MONTH;
	out->exp_year = TEST_EXP_YEAR;
	return 0;
}

enum processor_outcome
processor_charge(int livemode, const char *token, int64_t amount,
    const char *currency, const char **failure_code)
{
	const struct test_card	*card;

	(void)amount;
	(void)currency;
	*failure_code = NULL;
	if (livemode)
		return PROCESSOR_NOT_CONFIGURED;
	if (token == NULL || (card = find_card(token)) == NULL ||
	    card->failure == NULL)
		return PROCESSOR_SUCCEEDED;
	*failure_code = card->failure;
	return PROCESSOR_DECLINED;
}
