// Types of @pesaswap/node. Written by hand from openapi.yaml at the top of
// the repository: the objects are PesaSwap's, not Stripe's. Resources the
// client takes from Stripe unchanged (customers' own methods, prices,
// events, webhook endpoints, test clocks) keep Stripe's types.
import type { Readable } from 'node:stream';
import Stripe from 'stripe';

declare namespace PesaSwap {
	/** Stripe's options, and where the service is. */
	interface Config extends Stripe.StripeConfig {
		/**
		 * Scheme, host and port of the service, e.g.
		 * "http://127.0.0.1:8080". Default: PESASWAP_API_URL. Give
		 * this or Stripe's host/port/protocol, not both.
		 */
		apiUrl?: string;
	}

	type Metadata = Record<string, string>;
	type MetadataParam = Record<string, string | number | null>;
	type RequestOptions = Stripe.RequestOptions;
	type Response<T> = Stripe.Response<T>;
	type ApiListPromise<T> = Stripe.ApiListPromise<T>;

	/** created[gt|gte|lt|lte] as unix seconds. */
	interface RangeQueryParam {
		gt?: number;
		gte?: number;
		lt?: number;
		lte?: number;
	}

	interface PaginationParams {
		limit?: number;
		starting_after?: string;
		ending_before?: string;
	}

	/** create, retrieve and list (auto-paginated) of objects T. */
	interface ObjectResource<T, CreateParams, ListParams> {
		create(params: CreateParams,
		    options?: RequestOptions): Promise<Response<T>>;
		retrieve(id: string, params?: {},
		    options?: RequestOptions): Promise<Response<T>>;
		list(params?: ListParams,
		    options?: RequestOptions): ApiListPromise<T>;
	}

	interface Payment {
		id: string;
		object: 'payment';
		/** In the currency's minor unit. */
		amount: number;
		/** The sum of its refunds (POST /v1/refunds), at most amount. */
		amount_refunded: number;
		currency: string;
		customer: string | null;
		description: string | null;
		status: 'succeeded' | 'failed' | 'pending';
		/** True once refunded in full. */
		refunded: boolean;
		failure_code: 'card_declined' | 'insufficient_funds' | null;
		/** The saved pm_ or test token charged; null when none. */
		payment_method: string | null;
		metadata: Metadata;
		created: number;
		livemode: boolean;
	}

	interface PaymentCreateParams {
		amount: number;
		currency: string;
		customer?: string;
		description?: string;
		/** A pm_ saved for the customer or a test token. */
		payment_method?: string;
		metadata?: MetadataParam;
	}

	interface PaymentListParams extends PaginationParams {
		customer?: string;
		status?: Payment['status'];
		created?: number | RangeQueryParam;
	}

	type PaymentsResource = ObjectResource<Payment, PaymentCreateParams,
	    PaymentListParams>;

	interface PaymentSchedule {
		id: string;
		object: 'payment_schedule';
		customer: string;
		amount: number;
		currency: string;
		payment_method: string | null;
		description: string | null;
		/** When pesaswap-jobs makes the payment (unix seconds). */
		run_at: number;
		status: 'scheduled' | 'succeeded' | 'failed' | 'canceled';
		/** The payment made when it ran. */
		payment: string | null;
		metadata: Metadata;
		created: number;
		livemode: boolean;
	}

	interface PaymentScheduleCreateParams {
		customer: string;
		amount: number;
		currency: string;
		/** Later than now (the customer's test clock time if any). */
		run_at: number;
		payment_method?: string;
		description?: string;
		metadata?: MetadataParam;
	}

	interface PaymentScheduleListParams extends PaginationParams {
		customer?: string;
	}

	interface PaymentSchedulesResource extends ObjectResource<
	    PaymentSchedule, PaymentScheduleCreateParams,
	    PaymentScheduleListParams> {
		/** Before it runs; the schedule with status canceled. */
		cancel(id: string, params?: {},
		    options?: RequestOptions): Promise<Response<PaymentSchedule>>;
	}

	interface CustomerAnalytics {
		object: 'customer_analytics';
		customer: string;
		livemode: boolean;
		/** Succeeded payments. */
		total_payments: number;
		failed_payments: number;
		/** Per currency: sum, count and mean of succeeded payments. */
		volume: Array<{
			currency: string;
			total_volume: number;
			payments: number;
			average_transaction: number;
			/** Refunds of these payments; total_volume less them. */
			refunded_amount: number;
			net_volume: number;
		}>;
		last_payment: {
			id: string;
			amount: number;
			currency: string;
			created: number;
		} | null;
	}

	/** A group of live customers that share a normalised key. */
	interface CustomerDuplicateGroup {
		/** "email:<key>" or "phone:<key>", for starting_after. */
		id: string;
		object: 'customer_duplicate_group';
		reason: 'email' | 'phone' | 'name_and_email' | 'name_and_phone';
		/** The normalised email, or the phone's E.164 digits. */
		key: string;
		customer_count: number;
		/** Up to 100, oldest first. */
		customers: Stripe.Customer[];
	}

	interface CustomerDuplicateListParams {
		limit?: number;
		/** The id of the last group of the previous page. */
		starting_after?: string;
	}

	interface CustomerMergeParams {
		/** The customer that goes into the survivor and is deleted. */
		from: string;
	}

	/** GET /v1/customers/export: a list's filters or a search. */
	interface CustomerExportParams {
		/** csv (default) or jsonl, one customer a line. */
		format?: 'csv' | 'jsonl';
		email?: string;
		created?: number | RangeQueryParam;
		/** A search query, instead of email and created. */
		query?: string;
	}

	interface CustomerImportParams {
		/** dry_run (default) checks and writes nothing. */
		mode?: 'dry_run' | 'skip' | 'update';
	}

	interface CustomerImportError {
		/** The record's number in the file; the header is 1. */
		row: number;
		param: string | null;
		code: string | null;
		message: string | null;
	}

	interface CustomerImport {
		/** null for a dry run, which stores nothing. */
		id: string | null;
		object: 'customer_import';
		mode: 'dry_run' | 'skip' | 'update';
		/** pending: queued, when the service imports in the
		 * background. */
		status: 'pending' | 'running' | 'succeeded' | 'failed';
		rows_total: number;
		rows_processed: number;
		created: number;
		updated: number;
		skipped: number;
		/** The first 100, by row. */
		errors: CustomerImportError[];
		livemode: boolean;
	}

	interface CustomerImportsResource {
		retrieve(id: string, params?: {},
		    options?: RequestOptions): Promise<Response<CustomerImport>>;
		list(params?: PaginationParams,
		    options?: RequestOptions): ApiListPromise<CustomerImport>;
	}

	interface WaitForImportOptions {
		/** Between polls, in ms (default 500). */
		interval?: number;
		/** Give up after this many ms (default 600000). */
		timeout?: number;
	}

	/** Stripe's customers resource, plus analytics(), listDuplicates(),
	 * merge(), export(), import(), imports and waitForImport(). */
	type CustomersResource = Stripe['customers'] & {
		analytics(id: string, params?: {},
		    options?: RequestOptions): Promise<Response<CustomerAnalytics>>;
		listDuplicates(params?: CustomerDuplicateListParams,
		    options?: RequestOptions):
		    ApiListPromise<CustomerDuplicateGroup>;
		/** The survivor, after the merge. */
		merge(id: string, params: CustomerMergeParams,
		    options?: RequestOptions): Promise<Response<Stripe.Customer>>;
		/** The CSV or JSONL text. */
		export(params?: CustomerExportParams,
		    options?: RequestOptions & { streaming?: false }):
		    Promise<string>;
		/** With { streaming: true }: the response body as it comes. */
		export(params: CustomerExportParams | undefined,
		    options: RequestOptions & { streaming: true }):
		    Promise<Readable>;
		/** The CSV file (text or bytes) imported; the import, which
		 * may still be pending or running (waitForImport()). */
		import(file: string | Uint8Array, params?: CustomerImportParams,
		    options?: RequestOptions): Promise<Response<CustomerImport>>;
		imports: CustomerImportsResource;
		/** The import once neither pending nor running. */
		waitForImport(imp: string | CustomerImport,
		    wait?: WaitForImportOptions,
		    options?: RequestOptions): Promise<CustomerImport>;
	};

	interface Subscription {
		id: string;
		object: 'subscription';
		customer: string;
		price: string;
		status: 'incomplete' | 'active' | 'past_due' | 'canceled' |
		    'incomplete_expired';
		current_period_start: number;
		current_period_end: number;
		cancel_at_period_end: boolean;
		canceled_at: number | null;
		latest_payment: string | null;
		test_clock: string | null;
		metadata: Metadata;
		created: number;
		livemode: boolean;
	}

	interface SubscriptionCreateParams {
		customer: string;
		/** A price id or its lookup_key (the seed's form). */
		price?: string;
		/** Stripe's form: one item. */
		items?: [{ price: string }];
		payment_behavior?: 'allow_incomplete' | 'default_incomplete';
		metadata?: MetadataParam;
	}

	interface SubscriptionListParams extends PaginationParams {
		customer?: string;
		status?: Subscription['status'];
	}

	/** /v1/subscriptions as PesaSwap has it (Stripe's methods, our shapes). */
	interface SubscriptionsResource extends ObjectResource<Subscription,
	    SubscriptionCreateParams, SubscriptionListParams> {
		update(id: string, params?: { cancel_at_period_end?: boolean,
		    metadata?: MetadataParam },
		    options?: RequestOptions): Promise<Response<Subscription>>;
		cancel(id: string, params?: {},
		    options?: RequestOptions): Promise<Response<Subscription>>;
	}

	/** What pesaswap-jobs POSTs to a webhook endpoint. */
	interface Event {
		id: string;
		object: 'event';
		type: string;
		data: { object: Record<string, unknown> };
		created: number;
		livemode: boolean;
	}

	type WebhookPayload = string | Uint8Array;

	/** Verifies PesaSwap-Signature with Stripe's code (same scheme). */
	interface Webhooks {
		readonly SIGNATURE_HEADER: 'PesaSwap-Signature';
		readonly DEFAULT_TOLERANCE: number;
		/**
		 * The event, if HEADER (the PesaSwap-Signature value) signs
		 * PAYLOAD (the raw body as received) with SECRET (whsec_…)
		 * and is at most TOLERANCE seconds old (default 300); else
		 * throws StripeSignatureVerificationError.
		 */
		constructEvent(payload: WebhookPayload,
		    header: string | Uint8Array | undefined, secret: string,
		    tolerance?: number, cryptoProvider?: Stripe.CryptoProvider,
		    receivedAt?: number): Event;
		constructEventAsync(payload: WebhookPayload,
		    header: string | Uint8Array | undefined, secret: string,
		    tolerance?: number, cryptoProvider?: Stripe.CryptoProvider,
		    receivedAt?: number): Promise<Event>;
		/** A header for PAYLOAD as pesaswap-jobs would sign it. */
		generateTestHeaderString(opts: {
			payload: string;
			secret: string;
			timestamp?: number;
		}): string;
	}
}

interface PesaSwap extends Omit<Stripe, 'customers' | 'subscriptions' |
    'webhooks'> {
	customers: PesaSwap.CustomersResource;
	subscriptions: PesaSwap.SubscriptionsResource;
	payments: PesaSwap.PaymentsResource;
	paymentSchedules: PesaSwap.PaymentSchedulesResource;
	webhooks: PesaSwap.Webhooks;
}

declare const PesaSwap: {
	new (key: string, config?: PesaSwap.Config): PesaSwap;
	readonly webhooks: PesaSwap.Webhooks;
	readonly errors: typeof Stripe.errors;
};

export declare const webhooks: PesaSwap.Webhooks;
export { PesaSwap };
export default PesaSwap;
