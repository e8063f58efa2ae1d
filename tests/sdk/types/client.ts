// Compiled (never run) by tests/sdk/types.test.mjs with `tsc --strict`:
// the seed's snippets and the client's own resources typecheck against
// clients/js/index.d.ts, and each @ts-expect-error line must be an error,
// so a declaration that let a mistake through fails the test.
import PesaSwap, { webhooks } from '@pesaswap/node';

declare const user: { name: string; email: string; id: number };
declare const orderData: { customerName: string; customerEmail: string;
    customerPhone: string; total: number };
declare const rawBody: Buffer;

const peaswap = new PesaSwap('sk_test_x', { apiUrl: 'http://127.0.0.1:8080',
    maxNetworkRetries: 2 });

export async function saas(): Promise<string> {
// Create customer during signup
const customer = await peaswap.customers.create({
  name: user.name,
  email: user.email,
  metadata: { user_id: user.id }
});

// Start subscription
const subscription = await peaswap.subscriptions.create({
  customer: customer.id,
  price: 'price_monthly_pro'
});
	const status: 'incomplete' | 'active' | 'past_due' | 'canceled' |
	    'incomplete_expired' = subscription.status;
	return `${subscription.price} ${status}`;
}

export async function ecommerce(): Promise<number> {
// Create customer at checkout
const customer = await peaswap.customers.create({
  name: orderData.customerName,
  email: orderData.customerEmail,
  phone: orderData.customerPhone
});

// Process payment
const payment = await peaswap.payments.create({
  amount: orderData.total,
  currency: 'usd',
  customer: customer.id
});
	const failure: string | null = payment.failure_code;
	void failure;
	return payment.amount;
}

export async function resources(customer: string): Promise<void> {
	const p: PesaSwap.Payment = await peaswap.payments.retrieve('pay_x');
	for await (const q of peaswap.payments.list({ customer, limit: 10,
	    status: 'succeeded', created: { gte: 0 } }))
		void q.id;
	const all: PesaSwap.Payment[] = await peaswap.payments.list()
	    .autoPagingToArray({ limit: 100 });
	const a = await peaswap.customers.analytics(customer);
	const volume: number = a.volume[0]?.total_volume ?? 0;
	const last: string | undefined = a.last_payment?.id;
	const s = await peaswap.paymentSchedules.create({ customer,
	    amount: 5000, currency: 'usd', run_at: 1767225600 });
	const c: PesaSwap.PaymentSchedule = await peaswap.paymentSchedules
	    .cancel(s.id);
	const l = await peaswap.paymentSchedules.list({ customer });
	const found = await peaswap.customers.search({ query: "email:'a@b.c'" });
	const groups: PesaSwap.CustomerDuplicateGroup[] = await peaswap.customers
	    .listDuplicates({ limit: 10 }).autoPagingToArray({ limit: 1000 });
	const why: 'email' | 'phone' | 'name_and_email' | 'name_and_phone' =
	    groups[0].reason;
	const survivor = await peaswap.customers.merge(customer,
	    { from: groups[0].customers[1].id });
	const sname: string | null | undefined = survivor.name;
	void [p, all, volume, last, c, l.data, found.data, why, sname];

	const csv: string = await peaswap.customers.export({ format: 'csv',
	    query: "metadata['plan']:'pro'" });
	const body = await peaswap.customers.export({ created: { gte: 0 } },
	    { streaming: true });
	for await (const chunk of body)
		void chunk;
	const started = await peaswap.customers.import(csv, { mode: 'skip' });
	const done: PesaSwap.CustomerImport = await peaswap.customers
	    .waitForImport(started, { interval: 200 });
	const again = await peaswap.customers.imports.retrieve(done.id ?? '');
	const imports: PesaSwap.CustomerImport[] = await peaswap.customers
	    .imports.list({ limit: 10 }).autoPagingToArray({ limit: 100 });
	const row: number = again.errors[0]?.row ?? 0;
	void [imports, row];

	// @ts-expect-error: no such export format
	await peaswap.customers.export({ format: 'xlsx' });
	// @ts-expect-error: no such import mode
	await peaswap.customers.import(csv, { mode: 'replace' });
	// @ts-expect-error: the file is its text or bytes, not rows
	await peaswap.customers.import([{ name: 'x' }]);

	// @ts-expect-error: currency is required
	await peaswap.payments.create({ amount: 1 });
	// @ts-expect-error: amount is a number in minor units
	await peaswap.payments.create({ amount: '10.00', currency: 'usd' });
	// @ts-expect-error: no such field in the analytics
	void a.total_volume;
	// @ts-expect-error: schedules have no update
	void peaswap.paymentSchedules.update;
	// @ts-expect-error: merge needs from
	await peaswap.customers.merge(customer, {});
	// @ts-expect-error: no such reason
	void ((g: PesaSwap.CustomerDuplicateGroup) => g.reason === 'name');
}

export function receive(header: string | undefined, secret: string): string {
	const event = peaswap.webhooks.constructEvent(rawBody, header, secret);
	const same: PesaSwap.Event = webhooks.constructEvent(rawBody.toString(),
	    header, secret, 600);
	const name: 'PesaSwap-Signature' = PesaSwap.webhooks.SIGNATURE_HEADER;
	// @ts-expect-error: the payload is the raw body, not parsed JSON
	webhooks.constructEvent({ id: 'evt_x' }, header, secret);
	return `${event.type} ${same.id} ${name}`;
}

export function errors(e: unknown): boolean {
	return e instanceof PesaSwap.errors.StripeSignatureVerificationError ||
	    e instanceof PesaSwap.errors.StripeCardError;
}
