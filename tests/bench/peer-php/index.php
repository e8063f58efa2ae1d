<?php
/*
 * The PHP peer of the benchmark: GET /v1/customers/:id, POST /v1/customers,
 * GET /v1/customers, GET /v1/customers/search (email:'...' and name~'...'
 * clauses joined by AND), GET /v1/customers/:id/analytics, POST and GET
 * /v1/payments, GET /v1/events, written the way a good LAMP shop would (PHP-FPM,
 * PDO with a persistent connection, prepared statements, opcache), against
 * the same schema (sql/001_init.sql), the same keys and the same JSON shapes
 * as our service (API.md "Customers", "Errors"). Benchmark code, not part of
 * the product.
 *
 * Work per request, as in our service:
 *   auth    SHA-256 of the key, one primary-key lookup in api_keys;
 *   GET one SELECT by id, filtered on account and mode;
 *   POST    validate, random cust_ id, INSERT the customer and its
 *           customer.created event in one transaction (API.md "Events":
 *           every state change writes an event in the same transaction);
 *           duplicate email answers 409 with existing_id;
 *   list    SELECT newest first by pk, limit + 1 rows for has_more (the
 *           customer, payment and event lists alike, on the same index);
 *   search  the query's clauses as one WHERE, newest first, limit + 1;
 *   analytics  the totals row joined to the customer, then the volumes;
 *   payment BEGIN, the customer LOCK IN SHARE MODE, INSERT the payment,
 *           the three aggregate upserts (totals, volumes, the day's
 *           volume), INSERT payment.succeeded, COMMIT
 *           (the simulated processor: no payment_method succeeds).
 *
 * Configuration comes from the FPM pool (env[...]): BENCH_DB_SOCKET or
 * BENCH_DB_HOST/BENCH_DB_PORT, BENCH_DB_USER, BENCH_DB_PASSWORD,
 * BENCH_DB_NAME, BENCH_PHP_EVENTS (1 = write the event, the default).
 */

declare(strict_types=1);

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CUSTOMER_COLUMNS = 'id, name, email, phone, metadata, created, updated, livemode';

/* prefix + 16 characters of [0-9A-Za-z] from random_bytes, by rejection
 * sampling (bytes >= 248 would favour the first 8 characters). */
function new_id(string $prefix): string
{
	$out = $prefix;
	$n = 0;
	while ($n < 16) {
		foreach (unpack('C*', random_bytes(24)) as $b) {
			if ($b < 248) {
				$out .= ALPHABET[$b % 62];
				if (++$n === 16)
					break;
			}
		}
	}
	return $out;
}

function send(int $status, $body): void
{
	global $request_id;
	http_response_code($status);
	header('Content-Type: application/json; charset=utf-8');
	header('Request-Id: ' . $request_id);
	if ($status >= 400 && $status < 500)
		header('Stripe-Should-Retry: false');
	echo json_encode($body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

function fail(int $status, string $type, string $code, string $message,
    ?string $param = null, array $extra = []): void
{
	global $request_id;
	$e = ['type' => $type, 'code' => $code];
	if ($param !== null)
		$e['param'] = $param;
	$e['message'] = $message;
	$e += $extra;
	$e['request_id'] = $request_id;
	send($status, ['error' => $e]);
}

function invalid(string $code, string $message, ?string $param = null,
    array $extra = []): void
{
	fail(400, 'invalid_request_error', $code, $message, $param, $extra);
}

function customer_object(array $r): array
{
	$meta = json_decode($r['metadata'], false);
	return [
		'id' => $r['id'],
		'object' => 'customer',
		'name' => $r['name'],
		'email' => $r['email'],
		'phone' => $r['phone'],
		'metadata' => $meta ?: new stdClass(),
		'created' => (int)$r['created'],
		'updated' => (int)$r['updated'],
		'livemode' => (bool)$r['livemode'],
	];
}

function db(): PDO
{
	$name = getenv('BENCH_DB_NAME') ?: 'pesaswap';
	$sock = getenv('BENCH_DB_SOCKET');
	if ($sock)
		$dsn = "mysql:unix_socket=$sock;dbname=$name;charset=utf8mb4";
	else
		$dsn = 'mysql:host=' . (getenv('BENCH_DB_HOST') ?: '127.0.0.1') .
		    ';port=' . (getenv('BENCH_DB_PORT') ?: '3306') .
		    ";dbname=$name;charset=utf8mb4";
	return new PDO($dsn, getenv('BENCH_DB_USER') ?: 'pesaswap',
	    getenv('BENCH_DB_PASSWORD') ?: '', [
		PDO::ATTR_PERSISTENT => true,
		PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
		PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
		PDO::ATTR_STRINGIFY_FETCHES => false,
	]);
}

/* Bearer <key>, or Basic with the key as user name. Returns the key's row
 * (account_id, livemode, restricted, permissions) or null after answering
 * 401. */
function authenticate(PDO $pdo): ?array
{
	$h = $_SERVER['HTTP_AUTHORIZATION'] ?? '';
	if ($h === '') {
		fail(401, 'authentication_error', 'api_key_missing',
		    'You did not provide an API key.');
		return null;
	}
	$key = '';
	if (strncasecmp($h, 'Bearer ', 7) === 0) {
		$key = trim(substr($h, 7));
	} elseif (strncasecmp($h, 'Basic ', 6) === 0) {
		$dec = base64_decode(trim(substr($h, 6)), true);
		if ($dec !== false)
			$key = explode(':', $dec, 2)[0];
	}
	if (!preg_match('/^[sr]k_(test|live)_[0-9A-Za-z]{1,200}$/', $key)) {
		fail(401, 'authentication_error', 'api_key_invalid',
		    'Invalid API Key provided.');
		return null;
	}
	$st = $pdo->prepare('SELECT account_id, livemode, restricted, permissions'
	    . ' FROM api_keys WHERE hash = ? AND revoked IS NULL');
	$st->execute([hash('sha256', $key, true)]);
	$k = $st->fetch();
	if ($k === false) {
		fail(401, 'authentication_error', 'api_key_invalid',
		    'Invalid API Key provided.');
		return null;
	}
	return $k;
}

/* "read" or "write" permission on "resource", or 403. */
function permitted_on(array $k, string $resource, bool $write): bool
{
	if (!$k['restricted'])
		return true;
	$p = explode(',', $k['permissions']);
	if (in_array("$resource:write", $p, true) ||
	    (!$write && in_array("$resource:read", $p, true)))
		return true;
	fail(403, 'permission_error', 'permission_denied',
	    "The provided key does not have the permission \"$resource:" .
	    ($write ? 'write' : 'read') . '".');
	return false;
}

function retrieve(PDO $pdo, array $k, string $id): void
{
	$st = $pdo->prepare('SELECT ' . CUSTOMER_COLUMNS . ' FROM customers'
	    . ' WHERE id = ? AND account_id = ? AND livemode = ?'
	    . ' AND deleted IS NULL');
	$st->execute([$id, $k['account_id'], $k['livemode']]);
	$r = $st->fetch();
	if ($r === false) {
		fail(404, 'invalid_request_error', 'resource_missing',
		    "No such customer: '$id'", 'id');
		return;
	}
	send(200, customer_object($r));
}

function list_customers(PDO $pdo, array $k): void
{
	list_newest($pdo, $k, 'customers', CUSTOMER_COLUMNS, 'customers_list',
	    '/v1/customers', 'customer_object', ' AND deleted IS NULL');
}

/* The request body as an array of parameters: JSON object or form. */
function body_params(): ?array
{
	$ct = strtolower(trim(explode(';', $_SERVER['CONTENT_TYPE'] ?? '')[0]));
	if ($ct === 'application/x-www-form-urlencoded')
		return $_POST;
	if ($ct !== 'application/json') {
		fail(415, 'invalid_request_error', 'content_type_unsupported',
		    'Content-Type must be application/json or ' .
		    'application/x-www-form-urlencoded.');
		return null;
	}
	try {
		$p = json_decode(file_get_contents('php://input'), true, 16,
		    JSON_THROW_ON_ERROR);
	} catch (JsonException $e) {
		$p = null;
	}
	if (!is_array($p) || (count($p) > 0 && array_is_list($p))) {
		invalid('body_invalid', 'The request body is not a JSON object.');
		return null;
	}
	return $p;
}

function create(PDO $pdo, array $k): void
{
	$p = body_params();
	if ($p === null)
		return;
	foreach ($p as $name => $v) {
		if (!in_array($name, ['name', 'email', 'phone', 'metadata'], true)) {
			invalid('parameter_unknown',
			    "Received unknown parameter: $name", (string)$name);
			return;
		}
	}
	foreach (['name', 'email'] as $f) {
		if (!isset($p[$f]) || (is_string($p[$f]) && trim($p[$f]) === '')) {
			invalid('parameter_missing', "Missing required param: $f.", $f);
			return;
		}
		if (!is_string($p[$f])) {
			invalid('parameter_invalid', "Invalid string: $f.", $f);
			return;
		}
	}
	$name = trim($p['name']);
	if (!preg_match('/^[^\x00-\x1f\x7f]{1,256}$/u', $name)) {
		invalid('parameter_invalid',
		    'Invalid name: 1 to 256 characters of text.', 'name');
		return;
	}
	$email = trim($p['email']);
	if (strlen($email) > 254 ||
	    filter_var($email, FILTER_VALIDATE_EMAIL) === false) {
		invalid('email_invalid', 'Invalid email address: ' . $email,
		    'email');
		return;
	}
	$phone = null;
	if (isset($p['phone']) && $p['phone'] !== '') {
		if (!is_string($p['phone'])) {
			invalid('parameter_invalid', 'Invalid string: phone.', 'phone');
			return;
		}
		$phone = preg_replace('/[ ()-]/', '', $p['phone']);
		if (!preg_match('/^\+[0-9]{8,15}$/', $phone)) {
			invalid('phone_invalid', 'Invalid phone number: ' .
			    'use E.164, a + and 8 to 15 digits.', 'phone');
			return;
		}
	}
	$meta = [];
	if (isset($p['metadata'])) {
		$m = $p['metadata'];
		if (!is_array($m) || count($m) > 50) {
			invalid('metadata_invalid', 'Invalid metadata.', 'metadata');
			return;
		}
		foreach ($m as $mk => $mv) {
			if (!is_string($mv) || strlen((string)$mk) > 40 ||
			    strlen($mv) > 500) {
				invalid('metadata_invalid', 'Invalid metadata.',
				    'metadata');
				return;
			}
			if ($mv !== '')
				$meta[(string)$mk] = $mv;
		}
	}

	$now = time();
	$c = ['id' => new_id('cust_'), 'name' => $name, 'email' => $email,
	    'phone' => $phone,
	    'metadata' => json_encode((object)$meta, JSON_UNESCAPED_SLASHES |
	    JSON_UNESCAPED_UNICODE),
	    'created' => $now, 'updated' => $now, 'livemode' => $k['livemode']];
	$obj = customer_object($c);
	$events = (getenv('BENCH_PHP_EVENTS') ?: '1') !== '0';
	try {
		if ($events)
			$pdo->beginTransaction();
		$st = $pdo->prepare('INSERT INTO customers (id, account_id,'
		    . ' livemode, name, email, phone, metadata, created, updated)'
		    . ' VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
		$st->execute([$c['id'], $k['account_id'], $k['livemode'], $name,
		    $email, $phone, $c['metadata'], $now, $now]);
		if ($events) {
			$st = $pdo->prepare('INSERT INTO events (id, account_id,'
			    . ' livemode, type, data, created)'
			    . ' VALUES (?, ?, ?, ?, ?, ?)');
			$st->execute([new_id('evt_'), $k['account_id'],
			    $k['livemode'], 'customer.created',
			    json_encode(['object' => $obj], JSON_UNESCAPED_SLASHES |
			    JSON_UNESCAPED_UNICODE), $now]);
			$pdo->commit();
		}
	} catch (PDOException $e) {
		if ($pdo->inTransaction())
			$pdo->rollBack();
		if (($e->errorInfo[1] ?? 0) !== 1062 ||
		    strpos($e->getMessage(), 'customers_live_email') === false)
			throw $e;
		$st = $pdo->prepare('SELECT id FROM customers WHERE account_id = ?'
		    . ' AND livemode = ? AND live_email = ?');
		$st->execute([$k['account_id'], $k['livemode'], $email]);
		fail(409, 'invalid_request_error', 'resource_already_exists',
		    'A customer with this email already exists.', 'email',
		    ['existing_id' => $st->fetchColumn() ?: null]);
		return;
	}
	send(200, $obj);
}

const PAY_COLUMNS = 'id, amount, currency, customer_id, description, status,'
    . ' failure_code, payment_method, metadata, created, livemode';

function payment_object(array $r): array
{
	$meta = json_decode($r['metadata'], false);
	return [
		'id' => $r['id'],
		'object' => 'payment',
		'amount' => (int)$r['amount'],
		'currency' => $r['currency'],
		'customer' => $r['customer_id'],
		'description' => $r['description'],
		'status' => $r['status'],
		'failure_code' => $r['failure_code'],
		'payment_method' => $r['payment_method'],
		'metadata' => $meta ?: new stdClass(),
		'created' => (int)$r['created'],
		'livemode' => (bool)$r['livemode'],
	];
}

function event_object(array $r): array
{
	return [
		'id' => $r['id'],
		'object' => 'event',
		'type' => $r['type'],
		'data' => json_decode($r['data'], false),
		'created' => (int)$r['created'],
		'livemode' => (bool)$r['livemode'],
	];
}

/* limit=1..100 (default 10), or null after answering 400. */
function limit_param(): ?int
{
	if (!isset($_GET['limit']))
		return 10;
	$l = $_GET['limit'];
	if (!is_string($l) || !preg_match('/^[0-9]{1,3}$/', $l) ||
	    (int)$l < 1 || (int)$l > 100) {
		invalid('parameter_invalid',
		    'Invalid integer: limit must be between 1 and 100.', 'limit');
		return null;
	}
	return (int)$l;
}

/* Newest first on the (account_id, livemode[, deleted], pk) index of
 * "table"; "filter" adds a fixed condition (customers: not deleted). */
function list_newest(PDO $pdo, array $k, string $table, string $cols,
    string $index, string $url, callable $render, string $filter = ''): void
{
	if (($limit = limit_param()) === null)
		return;
	$st = $pdo->prepare("SELECT $cols FROM $table FORCE INDEX ($index)"
	    . " WHERE account_id = ? AND livemode = ?$filter"
	    . ' ORDER BY pk DESC LIMIT ?');
	$st->bindValue(1, $k['account_id']);
	$st->bindValue(2, $k['livemode'], PDO::PARAM_INT);
	$st->bindValue(3, $limit + 1, PDO::PARAM_INT);
	$st->execute();
	$rows = $st->fetchAll();
	$more = count($rows) > $limit;
	if ($more)
		array_pop($rows);
	send(200, ['object' => 'list', 'data' => array_map($render, $rows),
	    'has_more' => $more, 'url' => $url]);
}

/* GET /v1/customers/search: clauses email:'v' (equality) and name~'v'
 * (substring, 3 characters or more) joined by AND; the rest of Stripe's
 * language is not needed by the benchmark and answers 400. */
function search(PDO $pdo, array $k): void
{
	$q = $_GET['query'] ?? '';
	if (!is_string($q) || trim($q) === '') {
		invalid('parameter_missing', 'Missing required param: query.',
		    'query');
		return;
	}
	if (($limit = limit_param()) === null)
		return;
	$where = [];
	$args = [$k['account_id'], $k['livemode']];
	foreach (preg_split('/\s+AND\s+/', trim($q)) as $clause) {
		if (!preg_match("/^(email|name)(:|~)'((?:[^'\\\\]|\\\\.)*)'$/",
		    $clause, $m) || ($m[2] === '~' && mb_strlen($m[3]) < 3)) {
			invalid('search_query_invalid',
			    'Invalid search query at: ' . $clause, 'query');
			return;
		}
		$v = stripcslashes($m[3]);
		if ($m[2] === ':') {
			$where[] = "$m[1] = ?";
			$args[] = $v;
		} else {
			$where[] = "$m[1] LIKE ?";
			$args[] = '%' . addcslashes($v, '\\%_') . '%';
		}
	}
	$st = $pdo->prepare('SELECT ' . CUSTOMER_COLUMNS . ' FROM customers'
	    . ' WHERE account_id = ? AND livemode = ? AND deleted IS NULL AND '
	    . implode(' AND ', $where) . ' ORDER BY pk DESC LIMIT ?');
	foreach ($args as $i => $a)
		$st->bindValue($i + 1, $a, is_int($a) ? PDO::PARAM_INT :
		    PDO::PARAM_STR);
	$st->bindValue(count($args) + 1, $limit + 1, PDO::PARAM_INT);
	$st->execute();
	$rows = $st->fetchAll();
	$more = count($rows) > $limit;
	if ($more)
		array_pop($rows);
	$data = array_map('customer_object', $rows);
	send(200, ['object' => 'search_result', 'data' => $data,
	    'has_more' => $more, 'url' => '/v1/customers/search',
	    'next_page' => $more ? end($data)['id'] : null]);
}

/* Integer division rounded half away from zero, as fcgi/money.c. */
function average(int $volume, int $n): int
{
	if ($n === 0)
		return 0;
	$q = intdiv($volume, $n);
	if (2 * abs($volume % $n) >= $n)
		$q += $volume < 0 ? -1 : 1;
	return $q;
}

/* GET /v1/customers/:id/analytics */
function analytics(PDO $pdo, array $k, string $id): void
{
	$st = $pdo->prepare('SELECT c.id, t.succeeded, t.failed, t.last_id,'
	    . ' t.last_amount, t.last_currency, t.last_created FROM customers c'
	    . ' LEFT JOIN customer_totals t ON t.customer_id = c.id'
	    . ' WHERE c.account_id = ? AND c.livemode = ? AND c.id = ?'
	    . ' AND c.deleted IS NULL');
	$st->execute([$k['account_id'], $k['livemode'], $id]);
	$t = $st->fetch();
	if ($t === false) {
		fail(404, 'invalid_request_error', 'resource_missing',
		    "No such customer: '$id'", 'id');
		return;
	}
	$st = $pdo->prepare('SELECT currency, payments, volume'
	    . ' FROM customer_volumes WHERE customer_id = ? AND account_id = ?'
	    . ' AND livemode = ? ORDER BY volume DESC, currency');
	$st->execute([$id, $k['account_id'], $k['livemode']]);
	$volumes = [];
	foreach ($st->fetchAll() as $v)
		$volumes[] = ['currency' => $v['currency'],
		    'total_volume' => (int)$v['volume'],
		    'payments' => (int)$v['payments'],
		    'average_transaction' => average((int)$v['volume'],
		    (int)$v['payments'])];
	send(200, ['object' => 'customer_analytics', 'customer' => $t['id'],
	    'livemode' => (bool)$k['livemode'],
	    'total_payments' => (int)$t['succeeded'],
	    'failed_payments' => (int)$t['failed'],
	    'volume' => $volumes,
	    'last_payment' => $t['last_id'] === null ? null : [
		'id' => $t['last_id'], 'amount' => (int)$t['last_amount'],
		'currency' => $t['last_currency'],
		'created' => (int)$t['last_created']]]);
}

/* POST /v1/payments: amount, currency, customer, description, metadata;
 * every charge succeeds (the simulated processor without a token). */
function create_payment(PDO $pdo, array $k): void
{
	if (($p = body_params()) === null)
		return;
	foreach ($p as $name => $v)
		if (!in_array($name, ['amount', 'currency', 'customer',
		    'description', 'metadata'], true)) {
			invalid('parameter_unknown',
			    "Received unknown parameter: $name", (string)$name);
			return;
		}
	$amount = $p['amount'] ?? null;
	if (is_string($amount) && preg_match('/^[0-9]{1,11}$/', $amount))
		$amount = (int)$amount;
	if (!is_int($amount) || $amount < 1 || $amount > 99999999999) {
		invalid('amount_invalid', 'Invalid amount.', 'amount');
		return;
	}
	$currency = $p['currency'] ?? null;
	if (!is_string($currency) || !preg_match('/^[a-zA-Z]{3}$/', $currency)) {
		invalid('currency_invalid', 'Invalid currency.', 'currency');
		return;
	}
	$currency = strtolower($currency);
	$customer = $p['customer'] ?? null;
	if ($customer !== null && !is_string($customer)) {
		invalid('parameter_invalid', 'Invalid string: customer.',
		    'customer');
		return;
	}
	$desc = $p['description'] ?? null;
	if ($desc !== null && (!is_string($desc) || strlen($desc) > 1000)) {
		invalid('parameter_invalid', 'Invalid description.',
		    'description');
		return;
	}
	$meta = json_encode((object)($p['metadata'] ?? []),
	    JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
	$now = time();
	$id = new_id('pay_');
	$pdo->beginTransaction();
	try {
		if ($customer !== null) {
			$st = $pdo->prepare('SELECT id FROM customers'
			    . ' WHERE account_id = ? AND livemode = ? AND id = ?'
			    . ' AND deleted IS NULL LOCK IN SHARE MODE');
			$st->execute([$k['account_id'], $k['livemode'], $customer]);
			if ($st->fetch() === false) {
				$pdo->rollBack();
				invalid('resource_missing',
				    "No such customer: '$customer'", 'customer');
				return;
			}
		}
		$st = $pdo->prepare('INSERT INTO payments (id, account_id,'
		    . ' livemode, customer_id, amount, currency, description,'
		    . ' status, failure_code, payment_method, metadata, created)'
		    . " VALUES (?, ?, ?, ?, ?, ?, ?, 'succeeded', NULL, NULL, ?, ?)");
		$st->execute([$id, $k['account_id'], $k['livemode'], $customer,
		    $amount, $currency, $desc, $meta, $now]);
		if ($customer !== null) {
			$st = $pdo->prepare('INSERT INTO customer_totals'
			    . ' (customer_id, account_id, livemode, succeeded, failed,'
			    . ' last_pk, last_id, last_amount, last_currency,'
			    . ' last_created) VALUES (?, ?, ?, 1, 0, LAST_INSERT_ID(),'
			    . ' ?, ?, ?, ?) ON DUPLICATE KEY UPDATE'
			    . ' succeeded = succeeded + 1,'
			    . ' last_id = IF(VALUES(last_pk) > IFNULL(last_pk, 0),'
			    . ' VALUES(last_id), last_id),'
			    . ' last_amount = IF(VALUES(last_pk) > IFNULL(last_pk, 0),'
			    . ' VALUES(last_amount), last_amount),'
			    . ' last_currency = IF(VALUES(last_pk) > IFNULL(last_pk, 0),'
			    . ' VALUES(last_currency), last_currency),'
			    . ' last_created = IF(VALUES(last_pk) > IFNULL(last_pk, 0),'
			    . ' VALUES(last_created), last_created),'
			    . ' last_pk = GREATEST(IFNULL(last_pk, 0), VALUES(last_pk))');
			$st->execute([$customer, $k['account_id'], $k['livemode'],
			    $id, $amount, $currency, $now]);
			$st = $pdo->prepare('INSERT INTO customer_volumes'
			    . ' (customer_id, currency, account_id, livemode,'
			    . ' payments, volume) VALUES (?, ?, ?, ?, 1, ?)'
			    . ' ON DUPLICATE KEY UPDATE payments = payments + 1,'
			    . ' volume = volume + VALUES(volume)');
			$st->execute([$customer, $currency, $k['account_id'],
			    $k['livemode'], $amount]);
			/* The dashboard's per-day volume, as fcgi/payments.c. */
			$st = $pdo->prepare('INSERT INTO customer_daily_volumes'
			    . ' (customer_pk, currency, day, account_id, livemode,'
			    . ' payments, volume) SELECT pk, ?, ?, account_id,'
			    . ' livemode, 1, ? FROM customers WHERE account_id = ?'
			    . ' AND livemode = ? AND id = ? ON DUPLICATE KEY UPDATE'
			    . ' payments = payments + 1, volume = volume + ?');
			$st->execute([$currency, $now - (($now % 86400) + 86400) %
			    86400, $amount, $k['account_id'], $k['livemode'],
			    $customer, $amount]);
		}
		$obj = payment_object(['id' => $id, 'amount' => $amount,
		    'currency' => $currency, 'customer_id' => $customer,
		    'description' => $desc, 'status' => 'succeeded',
		    'failure_code' => null, 'payment_method' => null,
		    'metadata' => $meta, 'created' => $now,
		    'livemode' => $k['livemode']]);
		$st = $pdo->prepare('INSERT INTO events (id, account_id,'
		    . ' livemode, type, data, created) VALUES (?, ?, ?, ?, ?, ?)');
		$st->execute([new_id('evt_'), $k['account_id'], $k['livemode'],
		    'payment.succeeded', json_encode(['object' => $obj],
		    JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), $now]);
		$pdo->commit();
	} catch (PDOException $e) {
		if ($pdo->inTransaction())
			$pdo->rollBack();
		throw $e;
	}
	send(200, $obj);
}

/* GET or POST on a collection: 405 for other methods, else the key and
 * its permission on "resource", then "post" or "get" ($pdo, $k). */
function collection(string $method, string $path, string $resource,
    callable $post, callable $get): void
{
	if ($method !== 'GET' && $method !== 'POST') {
		header('Allow: GET, POST');
		fail(405, 'invalid_request_error', 'method_not_allowed',
		    "Method not allowed ($method: $path).");
		return;
	}
	$pdo = db();
	$k = authenticate($pdo);
	if ($k !== null && permitted_on($k, $resource, $method === 'POST'))
		($method === 'POST' ? $post : $get)($pdo, $k);
}

$request_id = new_id('req_');
$path = strtok($_SERVER['REQUEST_URI'] ?? '/', '?');
$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';

try {
	if ($path === '/v1/customers') {
		collection($method, $path, 'customers', 'create',
		    'list_customers');
	} elseif ($path === '/v1/payments') {
		collection($method, $path, 'payments', 'create_payment',
		    function (PDO $pdo, array $k): void {
			list_newest($pdo, $k, 'payments', PAY_COLUMNS,
			    'payments_list', '/v1/payments', 'payment_object');
		    });
	} elseif ($method !== 'GET' && preg_match('#^/v1/(customers/[^/]+' .
	    '(/analytics)?|events)$#', $path)) {
		header('Allow: GET');
		fail(405, 'invalid_request_error', 'method_not_allowed',
		    "Method not allowed ($method: $path)." .
		    ' The PHP peer implements GET only here.');
	} elseif ($path === '/v1/events') {
		$pdo = db();
		$k = authenticate($pdo);
		if ($k !== null && permitted_on($k, 'events', false))
			list_newest($pdo, $k, 'events',
			    'id, type, data, created, livemode', 'events_list',
			    '/v1/events', 'event_object');
	} elseif ($path === '/v1/customers/search') {
		$pdo = db();
		$k = authenticate($pdo);
		if ($k !== null && permitted_on($k, 'customers', false))
			search($pdo, $k);
	} elseif (preg_match('#^/v1/customers/([^/]+)(/analytics)?$#', $path,
	    $m)) {
		$pdo = db();
		$k = authenticate($pdo);
		if ($k !== null && permitted_on($k, 'customers', false)) {
			if (isset($m[2]))
				analytics($pdo, $k, rawurldecode($m[1]));
			else
				retrieve($pdo, $k, rawurldecode($m[1]));
		}
	} else {
		fail(404, 'invalid_request_error', 'resource_missing',
		    "Unrecognized request URL ($method: $path).");
	}
} catch (PDOException $e) {
	error_log("$request_id: " . $e->getMessage());
	$gone = in_array($e->errorInfo[1] ?? 0, [2002, 2006, 2013], true);
	if ($gone)
		header('Retry-After: 1');
	fail($gone ? 503 : 500, 'api_error',
	    $gone ? 'service_unavailable' : 'internal_error',
	    $gone ? 'The database is unavailable; retry later.' :
	    'An internal error occurred.');
}
