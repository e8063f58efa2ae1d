/*
 * The payment processor behind one small interface, so a real connector
 * (M-Pesa, a card acquirer) can replace the built-in test processor
 * without touching the handlers (API.md "Payments"). Only the test mode
 * processor exists: live mode answers "not configured".
 */
#ifndef PROCESSOR_H
#define PROCESSOR_H

#include <stdint.h>

/* What may be stored about a payment method: never a card number. */
struct pm_details {
	const char	*type;		/* "card" or "mobile_money" */
	const char	*brand;		/* card brand, or NULL */
	char		 last4[5];	/* card or phone last four */
	int		 exp_month;	/* 0 for mobile money */
	int		 exp_year;
	const char	*provider;	/* "mpesa", or NULL */
};

enum processor_outcome {
	PROCESSOR_SUCCEEDED,
	PROCESSOR_DECLINED,
	PROCESSOR_NOT_CONFIGURED
};

/* Describes test token "token" (pm_card_visa, tok_mpesa_2547…, …) in
 * "out". Returns 0, or -1 if it is not a token we know. */
int	processor_token(const char *token, struct pm_details *out);

/*
 * Charges "amount" of "currency" to "token" (NULL: no payment method).
 * On PROCESSOR_DECLINED, *failure_code names why ("card_declined",
 * "insufficient_funds"). Live mode has no processor configured.
 */
enum processor_outcome processor_charge(int livemode, const char *token,
	    int64_t amount, const char *currency, const char **failure_code);

#endif
