// Cursor pagination for the tables (API.md lists and search).

/*
 * Cursors: the list moves with starting_after / ending_before (ids of the
 * last and first row shown); search with the opaque next_page token, so
 * "Previous" there walks back a stack of the tokens used.
 */
export class Pager {
	constructor(size) {
		this.size = size;
		this.reset();
	}

	reset() {
		this.first = this.last = null;
		this.hasPrev = this.hasNext = false;
		this.tokens = [];		/* search: page token of each page */
		this.nextToken = null;
	}

	params(move, query) {
		if (query) {
			let page;
			if (move === 'next')
				page = this.nextToken;
			else if (move === 'prev')
				page = this.tokens[this.tokens.length - 2];
			return { query, limit: this.size, page: page || undefined };
		}
		if (move === 'next')
			return { limit: this.size, starting_after: this.last };
		if (move === 'prev')
			return { limit: this.size, ending_before: this.first };
		return { limit: this.size };
	}

	loaded(move, page, params) {
		const data = page.data;
		if (page.object === 'search_result') {
			if (move === 'next')
				this.tokens.push(params.page);
			else if (move === 'prev')
				this.tokens.pop();
			else
				this.tokens = [null];
			this.nextToken = page.next_page;
			this.hasPrev = this.tokens.length > 1;
			this.hasNext = Boolean(page.has_more && page.next_page);
			return;
		}
		if (data.length === 0 && move !== 'first') {
			/* Nothing beyond the cursor (rows went away meanwhile):
			 * keep the cursors, leave the way back open. */
			this.hasPrev = move === 'next';
			this.hasNext = move === 'prev';
			return;
		}
		this.first = data.length ? data[0].id : null;
		this.last = data.length ? data[data.length - 1].id : null;
		if (move === 'next') {
			this.hasPrev = true;
			this.hasNext = page.has_more;
		} else if (move === 'prev') {
			this.hasPrev = page.has_more;
			this.hasNext = true;
		} else {
			this.hasPrev = false;
			this.hasNext = page.has_more;
		}
	}
}
