/*
 * Unit tests for fcgi/fields.c (issue 15, Stripe's customer fields): one
 * test per behaviour, each named for it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "fields.h"

static void
country_accepts_iso_codes(void **state)
{
	(void)state;
	assert_int_equal(fields_country("KE"), 0);
	assert_int_equal(fields_country("US"), 0);
	assert_int_equal(fields_country("AD"), 0);
	assert_int_equal(fields_country("ZW"), 0);
}

static void
country_rejects_unknown_lowercase_and_alpha3(void **state)
{
	(void)state;
	assert_int_equal(fields_country("XX"), -1);
	assert_int_equal(fields_country("ke"), -1);
	assert_int_equal(fields_country("KEN"), -1);
	assert_int_equal(fields_country(""), -1);
	assert_int_equal(fields_country("UK"), -1);
}

static void
postal_code_us_five_or_zip_plus_four(void **state)
{
	(void)state;
	assert_int_equal(fields_postal_code("US", "94107"), 0);
	assert_int_equal(fields_postal_code("US", "94107-1234"), 0);
	assert_int_equal(fields_postal_code("US", "9410"), -1);
	assert_int_equal(fields_postal_code("US", "94107-12"), -1);
	assert_int_equal(fields_postal_code("US", "94107 "), -1);
}

static void
postal_code_gb_any_case(void **state)
{
	(void)state;
	assert_int_equal(fields_postal_code("GB", "SW1A 1AA"), 0);
	assert_int_equal(fields_postal_code("GB", "sw1a1aa"), 0);
	assert_int_equal(fields_postal_code("GB", "M1 1AE"), 0);
	assert_int_equal(fields_postal_code("GB", "12345"), -1);
}

static void
postal_code_ca_de_and_others(void **state)
{
	(void)state;
	assert_int_equal(fields_postal_code("CA", "K1A 0B1"), 0);
	assert_int_equal(fields_postal_code("CA", "D1A 0B1"), -1);
	assert_int_equal(fields_postal_code("DE", "10115"), 0);
	assert_int_equal(fields_postal_code("DE", "1011"), -1);
	assert_int_equal(fields_postal_code("KE", "00100"), 0);
	assert_int_equal(fields_postal_code("NL", "1012 AB"), 0);
	assert_int_equal(fields_postal_code("JP", "100-0001"), 0);
}

static void
postal_code_free_where_no_rule(void **state)
{
	(void)state;
	assert_int_equal(fields_postal_code("BR", "anything at all"), 0);
}

static void
postal_code_rejects_long_input(void **state)
{
	(void)state;
	assert_int_equal(fields_postal_code("US",
	    "94107-1234-1234-1234-1234"), -1);
}

static void
locale_accepts_language_script_region(void **state)
{
	(void)state;
	assert_int_equal(fields_locale("en"), 0);
	assert_int_equal(fields_locale("fr-FR"), 0);
	assert_int_equal(fields_locale("zh-Hant-TW"), 0);
	assert_int_equal(fields_locale("es-419"), 0);
	assert_int_equal(fields_locale("haw"), 0);
}

static void
locale_rejects_other_shapes(void **state)
{
	(void)state;
	assert_int_equal(fields_locale("english"), -1);
	assert_int_equal(fields_locale("EN"), -1);
	assert_int_equal(fields_locale("en_US"), -1);
	assert_int_equal(fields_locale("en-us"), -1);
	assert_int_equal(fields_locale(""), -1);
	assert_int_equal(fields_locale("en-US,fr"), -1);
}

static void
invoice_prefix_three_to_twelve_upper_or_digits(void **state)
{
	(void)state;
	assert_int_equal(fields_invoice_prefix("ABC"), 0);
	assert_int_equal(fields_invoice_prefix("0759376C"), 0);
	assert_int_equal(fields_invoice_prefix("ABCDEFGHIJKL"), 0);
	assert_int_equal(fields_invoice_prefix("AB"), -1);
	assert_int_equal(fields_invoice_prefix("ABCDEFGHIJKLM"), -1);
	assert_int_equal(fields_invoice_prefix("abc"), -1);
	assert_int_equal(fields_invoice_prefix("AB-C"), -1);
}

static void
new_invoice_prefix_is_valid_and_varies(void **state)
{
	char	 a[16], b[16];

	(void)state;
	assert_int_equal(fields_new_invoice_prefix(a, sizeof(a)), 0);
	assert_int_equal(fields_new_invoice_prefix(b, sizeof(b)), 0);
	assert_int_equal(strlen(a), FIELDS_PREFIX_LEN);
	assert_int_equal(fields_invoice_prefix(a), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(fields_new_invoice_prefix(a, FIELDS_PREFIX_LEN), -1);
}

static void
tax_id_known_types_and_country(void **state)
{
	char	 country[3];
	int	 known;

	(void)state;
	assert_int_equal(fields_tax_id("eu_vat", "DE123456789", country,
	    &known), 0);
	assert_string_equal(country, "DE");
	assert_int_equal(fields_tax_id("eu_vat", "EL123456789", country,
	    &known), 0);
	assert_string_equal(country, "GR");
	assert_int_equal(fields_tax_id("gb_vat", "GB123456789", country,
	    &known), 0);
	assert_string_equal(country, "GB");
	assert_int_equal(fields_tax_id("us_ein", "12-3456789", country,
	    &known), 0);
	assert_string_equal(country, "US");
	assert_int_equal(fields_tax_id("in_gst", "22AAAAA0000A1Z5", country,
	    &known), 0);
	assert_string_equal(country, "IN");
}

static void
tax_id_bad_value_is_known_type(void **state)
{
	char	 country[3];
	int	 known;

	(void)state;
	assert_int_equal(fields_tax_id("eu_vat", "US123456789", country,
	    &known), -1);
	assert_int_equal(known, 1);
	assert_int_equal(fields_tax_id("au_abn", "1234567890", country,
	    &known), -1);
	assert_int_equal(known, 1);
}

static void
tax_id_unknown_type(void **state)
{
	char	 country[3];
	int	 known;

	(void)state;
	assert_int_equal(fields_tax_id("xx_vat", "1", country, &known), -1);
	assert_int_equal(known, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(country_accepts_iso_codes),
		cmocka_unit_test(country_rejects_unknown_lowercase_and_alpha3),
		cmocka_unit_test(postal_code_us_five_or_zip_plus_four),
		cmocka_unit_test(postal_code_gb_any_case),
		cmocka_unit_test(postal_code_ca_de_and_others),
		cmocka_unit_test(postal_code_free_where_no_rule),
		cmocka_unit_test(postal_code_rejects_long_input),
		cmocka_unit_test(locale_accepts_language_script_region),
		cmocka_unit_test(locale_rejects_other_shapes),
		cmocka_unit_test(invoice_prefix_three_to_twelve_upper_or_digits),
		cmocka_unit_test(new_invoice_prefix_is_valid_and_varies),
		cmocka_unit_test(tax_id_known_types_and_country),
		cmocka_unit_test(tax_id_bad_value_is_known_type),
		cmocka_unit_test(tax_id_unknown_type),
	};

	return cmocka_run_group_tests_name("fields", tests, NULL, NULL);
}
