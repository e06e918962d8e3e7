import uPlot from 'uplot';
import { h } from './dom.js';

/** Distinct, colour-blind-safe series colours (Okabe–Ito). */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

export interface Series {
  label: string;
  values: (number | null)[];
}

/**
 * A uPlot chart sized to its container (and re-sized with it, for narrow screens). The canvas is
 * described by `description` for screen readers; every chart is shown beside a table of the same
 * figures.
 */
export function chart(opts: {
  title: string;
  description: string;
  x: number[];
  series: Series[];
  yLabel: string;
  /** x values are seconds since the epoch (time axis); otherwise indexes named by `xNames`. */
  xNames?: string[];
  bars?: boolean;
}) {
  const box = h('figure', { class: 'chart', role: 'img', 'aria-label': `${opts.title}. ${opts.description}` });
  const bars = opts.bars ? uPlot.paths.bars!({ size: [0.6, 64] }) : undefined;
  const data = [opts.x, ...opts.series.map((s) => s.values)] as uPlot.AlignedData;
  const make = (width: number) =>
    new uPlot(
      {
        title: opts.title,
        // Days and hours are the api's UTC buckets, whatever the browser's time zone.
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        width,
        height: 260,
        scales: { x: { time: !opts.xNames }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
        axes: [opts.xNames ? { values: (_u, splits) => splits.map((i) => opts.xNames![i] ?? '') } : {}, { label: opts.yLabel, size: 70 }],
        series: [
          {},
          ...opts.series.map((s, i) => ({
            label: s.label,
            stroke: COLOURS[i % COLOURS.length],
            fill: opts.bars ? `${COLOURS[i % COLOURS.length]}aa` : undefined,
            width: 2,
            paths: bars,
            points: { show: true, size: 7 },
          })),
        ],
      },
      data,
      box,
    );
  let plot: uPlot | null = null;
  // Drawn once the figure is in the page and knows its width; redrawn at a new width.
  const observer = new ResizeObserver((entries) => {
    const width = Math.max(260, Math.floor(entries[0]!.contentRect.width));
    if (!plot) plot = make(width);
    else if (Math.abs(plot.width - width) > 4) plot.setSize({ width, height: 260 });
  });
  observer.observe(box);
  return box;
}
