/*
 * Unit tests for the node list of fcgi/config.c (--db-hosts,
 * PESASWAP_DB_HOSTS): a Galera cluster's nodes, own node first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

static void
nodes_keep_order_and_ports(void **state)
{
	struct db_node	 n[CONFIG_MAX_NODES];

	(void)state;
	assert_int_equal(config_nodes("10.0.0.1:3307,db2,db3:3306", n,
	    CONFIG_MAX_NODES), 3);
	assert_string_equal(n[0].host, "10.0.0.1");
	assert_int_equal(n[0].port, 3307);
	assert_string_equal(n[1].host, "db2");
	assert_int_equal(n[1].port, 3306);	/* the default */
	assert_string_equal(n[2].host, "db3");
}

static void
nodes_count_without_output(void **state)
{
	(void)state;
	assert_int_equal(config_nodes("a:1,b:2", NULL, CONFIG_MAX_NODES), 2);
	assert_int_equal(config_nodes("one", NULL, CONFIG_MAX_NODES), 1);
}

static void
nodes_refuse_malformed_lists(void **state)
{
	static const char *bad[] = { "", ",", "a,", ",a", "a,,b", ":3306",
	    "a:", "a:0", "a:65536", "a:33x", "a:-1", "a b:1", "a:1:2",
	    "a:123456789" };
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (config_nodes(bad[i], NULL, CONFIG_MAX_NODES) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
}

static void
nodes_refuse_more_than_max(void **state)
{
	(void)state;
	assert_int_equal(config_nodes("a,b,c", NULL, 2), -1);
	assert_int_equal(config_nodes("a,b", NULL, 2), 2);
}

static void
nodes_refuse_host_longer_than_its_buffer(void **state)
{
	char	 host[CONFIG_HOST_MAX + 1];

	(void)state;
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	assert_int_equal(config_nodes(host, NULL, 1), -1);
	host[CONFIG_HOST_MAX - 1] = '\0';
	assert_int_equal(config_nodes(host, NULL, 1), 1);
}

static void
flag_db_hosts_is_checked_and_kept(void **state)
{
	struct config	 c;

	(void)state;
	unsetenv("PESASWAP_DB_HOSTS");
	assert_int_equal(config_from_env(&c), 0);
	assert_null(c.db_hosts);
	assert_int_equal(c.db_sync_wait, 1);
	assert_int_equal(config_set(&c, "db-hosts", "a:1,b"), 1);
	assert_string_equal(c.db_hosts, "a:1,b");
	assert_int_equal(config_set(&c, "db-hosts", "a:1,"), -1);
	assert_string_equal(c.db_hosts, "a:1,b");
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nodes_keep_order_and_ports),
		cmocka_unit_test(nodes_count_without_output),
		cmocka_unit_test(nodes_refuse_malformed_lists),
		cmocka_unit_test(nodes_refuse_more_than_max),
		cmocka_unit_test(nodes_refuse_host_longer_than_its_buffer),
		cmocka_unit_test(flag_db_hosts_is_checked_and_kept),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
