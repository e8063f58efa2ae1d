<?php
/*
 * The PHP peer of the benchmark: GET /v1/customers/:id, POST /v1/customers
 * and GET /v1/customers, written the way a good LAMP shop would (PHP-FPM,
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
 *   list    SELECT newest first by pk, limit + 1 rows for has_more.
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

function permitted(array $k, bool $write): bool
{
	if (!$k['restricted'])
		return true;
	$p = explode(',', $k['permissions']);
	if (in_array('customers:write', $p, true) ||
	    (!$write && in_array('customers:read', $p, true)))
		return true;
	fail(403, 'permission_error', 'permission_denied',
	    'The provided key does not have the permission "customers:' .
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
	$limit = 10;
	if (isset($_GET['limit'])) {
		$l = $_GET['limit'];
		if (!is_string($l) || !preg_match('/^[0-9]{1,3}$/', $l) ||
		    (int)$l < 1 || (int)$l > 100) {
			invalid('parameter_invalid',
			    'Invalid integer: limit must be between 1 and 100.',
			    'limit');
			return;
		}
		$limit = (int)$l;
	}
	$st = $pdo->prepare('SELECT ' . CUSTOMER_COLUMNS . ' FROM customers'
	    . ' WHERE account_id = ? AND livemode = ? AND deleted IS NULL'
	    . ' ORDER BY pk DESC LIMIT ?');
	$st->bindValue(1, $k['account_id']);
	$st->bindValue(2, $k['livemode'], PDO::PARAM_INT);
	$st->bindValue(3, $limit + 1, PDO::PARAM_INT);
	$st->execute();
	$rows = $st->fetchAll();
	$more = count($rows) > $limit;
	if ($more)
		array_pop($rows);
	send(200, ['object' => 'list',
	    'data' => array_map('customer_object', $rows),
	    'has_more' => $more, 'url' => '/v1/customers']);
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

$request_id = new_id('req_');
$path = strtok($_SERVER['REQUEST_URI'] ?? '/', '?');
$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';

try {
	if ($path === '/v1/customers') {
		if ($method !== 'GET' && $method !== 'POST') {
			header('Allow: GET, POST');
			fail(405, 'invalid_request_error', 'method_not_allowed',
			    "Method not allowed ($method: $path).");
		} else {
			$pdo = db();
			$k = authenticate($pdo);
			if ($k !== null && permitted($k, $method === 'POST')) {
				if ($method === 'POST')
					create($pdo, $k);
				else
					list_customers($pdo, $k);
			}
		}
	} elseif (preg_match('#^/v1/customers/([^/]+)$#', $path, $m) &&
	    $m[1] !== 'search') {
		if ($method !== 'GET') {
			header('Allow: GET');
			fail(405, 'invalid_request_error', 'method_not_allowed',
			    "Method not allowed ($method: $path)." .
			    ' The PHP peer implements GET only here.');
		} else {
			$pdo = db();
			$k = authenticate($pdo);
			if ($k !== null && permitted($k, false))
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
