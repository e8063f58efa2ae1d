// The API reference at /docs/: Swagger UI (vendor/, copied from npm by
// make) rendering /openapi.yaml, the same file the API tests check every
// answer against. A file of its own, not an inline script: the page is
// served under a Content-Security-Policy without 'unsafe-inline'.
/* global SwaggerUIBundle */
SwaggerUIBundle({
	url: '/openapi.yaml',
	dom_id: '#swagger-ui',
	deepLinking: true,		/* #/Customers/createCustomer links */
	docExpansion: 'list',
	defaultModelsExpandDepth: 0,
	validatorUrl: null,		/* no badge fetched from swagger.io */
	/*
	 * "Try it out" calls this host (the first server in openapi.yaml is
	 * "/"): with a key given under Authorize, or, for reads, the
	 * dashboard's session cookie when signed in on this host.
	 */
	tryItOutEnabled: false,
});
