// The customer's payment volume over time, drawn with uPlot (vendor/,
// copied from npm by make): one bar per day or month, in major units of
// one currency, from GET /v1/customers/:id/analytics/volume. A table of
// the same numbers sits under it for screen readers and for copying.
import { h, replace, dataTable } from './dom.js';
import { money, toMajor, exponent, utcDate } from './format.js';

const DAY = 86400;
const HEIGHT = 240;

/* Every period from the first to the last, the empty ones as 0, so the
 * bars stand where their dates are. */
function periods(points, interval) {
	const xs = [];
	const ys = [];
	const byStart = new Map(points.map((p) => [p.period_start, p]));
	let t = points[0].period_start;
	const last = points[points.length - 1].period_start;
	while (t <= last && xs.length < 400) {
		xs.push(t);
		ys.push(byStart.has(t) ? byStart.get(t).total_volume : 0);
		if (interval === 'month') {
			const d = new Date(t * 1000);
			t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / 1000;
		} else {
			t += DAY;
		}
	}
	return { xs, ys };
}

function tick(unix, interval) {
	return new Date(unix * 1000).toLocaleDateString(undefined,
	    interval === 'month' ? { month: 'short', year: '2-digit',
	    timeZone: 'UTC' } : { month: 'short', day: 'numeric',
	    timeZone: 'UTC' });
}

function monthLabel(unix) {
	return new Date(unix * 1000).toLocaleDateString(undefined,
	    { month: 'short', year: 'numeric', timeZone: 'UTC' });
}

/**
 * Draws VOLUME (the API's answer) into CONTAINER; returns a function that
 * removes the chart and its listeners.
 */
export function drawVolume(container, volume) {
	const { interval, currency, data } = volume;
	if (!data.length) {
		replace(container, h('p', { class: 'empty' },
		    'No payments yet, so there is no volume to chart.'));
		return () => {};
	}
	const label = (t) => interval === 'month' ? monthLabel(t) :
	    utcDate(t);
	const table = dataTable({ className: 'table compact', showCaption: true,
	    caption: `Volume per ${interval} (${currency.toUpperCase()})`,
	    rows: data, columns: [
		[interval === 'month' ? 'Month' : 'Day',
		    (p) => label(p.period_start)],
		['Volume', (p) => money(p.total_volume, currency),
		    { class: 'num' }],
		['Payments', (p) => String(p.payments), { class: 'num' }],
	    ] }).el;
	const plot = h('div', { class: 'chart-plot', role: 'img',
	    'aria-label': `Bar chart of payment volume per ${interval} in ` +
	    `${currency.toUpperCase()}; the numbers are in the table below.` });
	replace(container, plot,
	    h('details', { class: 'chart-table' },
	        h('summary', {}, 'Show the numbers'), table));
	if (typeof window.uPlot !== 'function') {
		plot.remove();
		container.querySelector('details').open = true;
		return () => {};
	}
	const u = makePlot(plot, volume);
	let timer = null;
	const onResize = () => {
		clearTimeout(timer);
		timer = setTimeout(() => u.setSize({ width: width(plot),
		    height: HEIGHT }), 100);
	};
	window.addEventListener('resize', onResize);
	return () => {
		window.removeEventListener('resize', onResize);
		clearTimeout(timer);
		u.destroy();
	};
}

function width(el) {
	return Math.max(240, Math.floor(el.getBoundingClientRect().width));
}

function makePlot(el, { interval, currency, data }) {
	const uPlot = window.uPlot;
	const { xs, ys } = periods(data, interval);
	const major = ys.map((v) => toMajor(v, currency));
	const half = (interval === 'month' ? 31 * DAY : DAY) / 2 + 1;
	const code = currency.toUpperCase();
	const short = new Intl.NumberFormat(undefined,
	    { notation: 'compact', maximumFractionDigits: 1 });
	const opts = {
		width: width(el),
		height: HEIGHT,
		cursor: { drag: { x: false, y: false } },
		scales: {
			/* From the data, not uPlot's min and max: it widens a
			 * single point to years. Half a period each side keeps
			 * the first and last bars whole. */
			x: { time: true, range: () =>
			    [xs[0] - half, xs[xs.length - 1] + half] },
			y: { range: (u, min, max) => [0, max > 0 ? max * 1.15 : 1] },
		},
		series: [
			{ label: interval === 'month' ? 'Month' : 'Day',
			    value: (u, t) => t == null ? '—' : (interval === 'month' ?
			    monthLabel(t) : utcDate(t)) },
			{
				label: `Volume (${code})`,
				stroke: '#0b5cad',
				fill: 'rgba(11, 92, 173, 0.35)',
				width: 1,
				paths: uPlot.paths.bars({ size: [0.7, 40] }),
				points: { show: false },
				value: (u, v) => v == null ? '—' :
				    money(Math.round(v * 10 ** exponent(currency)),
				    currency),
			},
		],
		axes: [
			/* Ticks on whole periods only (never hours), at most
			 * about one per 70 px. */
			{ stroke: '#4a5563', grid: { stroke: '#e5e8ec' },
			    splits: (u) => {
				    const room = Math.max(1, Math.floor(u.bbox.width /
				        devicePixelRatio / 70));
				    const step = Math.ceil(xs.length / room);
				    return xs.filter((x, i) => i % step === 0);
			    },
			    values: (u, splits) => splits.map((t) => tick(t, interval)) },
			{ stroke: '#4a5563', grid: { stroke: '#e5e8ec' }, size: 64,
			    values: (u, splits) => splits.map((v) => short.format(v)) },
		],
	};
	return new uPlot(opts, [xs, major], el);
}
