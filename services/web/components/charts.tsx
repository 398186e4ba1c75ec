import type { PropsWithChildren } from '@kitajs/html';

export interface ChartPoint {
  /** Shown under the bar or point; escaped. */
  label: string;
  /** null: no data for this point (drawn as a gap). */
  value: number | null;
}

const W = 640;
const H = 220;
const PAD = { left: 48, right: 28, top: 12, bottom: 40 };
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const clamp = (n: number) => (Number.isFinite(n) ? n : 0);

function Axis({ max, unit }: { max: number; unit: string }): JSX.Element {
  const ticks = [0, 1, 2, 3, 4].map((i) => ({
    v: (max * i) / 4,
    y: PAD.top + (H - PAD.top - PAD.bottom) * (1 - i / 4),
  }));
  return (
    <>
      {ticks.map(({ v, y }) => (
        <>
          <line
            x1={String(PAD.left)}
            x2={String(W - PAD.right)}
            y1={y.toFixed(1)}
            y2={y.toFixed(1)}
            class="grid"
          />
          <text x={String(PAD.left - 6)} y={(y + 4).toFixed(1)} text-anchor="end" class="tick" safe>
            {`${fmt(v)}${unit}`}
          </text>
        </>
      ))}
    </>
  );
}

function XLabels({
  points,
  xAt,
}: {
  points: readonly ChartPoint[];
  xAt: (i: number) => number;
}): JSX.Element {
  const every = Math.max(1, Math.ceil(points.length / 8));
  return (
    <>
      {points.map((p, i) =>
        i % every === 0 ? (
          <text x={xAt(i).toFixed(1)} y={String(H - PAD.bottom + 16)} text-anchor="middle" class="tick" safe>
            {p.label}
          </text>
        ) : (
          ''
        ),
      )}
    </>
  );
}

/** The frame both charts share: the SVG, its accessible name, the axis and the x labels. */
function ChartFrame({
  title,
  top,
  unit,
  points,
  xAt,
  children,
}: PropsWithChildren<{
  title: string;
  top: number;
  unit: string;
  points: readonly ChartPoint[];
  xAt: (i: number) => number;
}>): JSX.Element {
  return (
    <svg
      class="chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={title}
      preserveAspectRatio="xMidYMid meet"
    >
      <title safe>{title}</title>
      <Axis max={top} unit={unit} />
      {children}
      <XLabels points={points} xAt={xAt} />
    </svg>
  );
}

/**
 * A bar chart as inline SVG, drawn on the server from numbers only: no script, and every piece
 * of text in it escaped. `title` names it for screen readers; the page also shows the figures.
 */
export function BarChart({
  title,
  points,
  max,
  unit = '',
}: {
  title: string;
  points: readonly ChartPoint[];
  max?: number;
  unit?: string;
}): JSX.Element {
  if (!points.some((p) => p.value !== null)) return <NoData title={title} />;
  const top = Math.max(max ?? 0, ...points.map((p) => clamp(p.value ?? 0)), 1);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(points.length, 1);
  const xAt = (i: number) => PAD.left + slot * (i + 0.5);
  return (
    <ChartFrame title={title} top={top} unit={unit} points={points} xAt={xAt}>
      {points.map((p, i) => {
        if (p.value === null) return '';
        const h = (clamp(p.value) / top) * innerH;
        return (
          <rect
            class="bar"
            x={(xAt(i) - slot * 0.35).toFixed(1)}
            y={(PAD.top + innerH - h).toFixed(1)}
            width={(slot * 0.7).toFixed(1)}
            height={h.toFixed(1)}
          >
            <title safe>{`${p.label}: ${fmt(clamp(p.value))}${unit}`}</title>
          </rect>
        );
      })}
    </ChartFrame>
  );
}

/** A chart with nothing to draw says so, rather than drawing empty axes. */
function NoData({ title }: { title: string }): JSX.Element {
  return (
    <p class="chart-empty" role="note" aria-label={title}>
      Not enough data yet: the chart fills in as comments are answered.
    </p>
  );
}

/** A line chart as inline SVG (gaps where a point has no value); same rules as BarChart. */
export function LineChart({
  title,
  points,
  unit = '',
}: {
  title: string;
  points: readonly ChartPoint[];
  unit?: string;
}): JSX.Element {
  if (!points.some((p) => p.value !== null)) return <NoData title={title} />;
  const top = Math.max(...points.map((p) => clamp(p.value ?? 0)), 1);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const step = points.length > 1 ? innerW / (points.length - 1) : 0;
  const xAt = (i: number) => (points.length > 1 ? PAD.left + step * i : PAD.left + innerW / 2);
  const yAt = (v: number) => PAD.top + innerH - (clamp(v) / top) * innerH;
  let path = '';
  let pen = false;
  points.forEach((p, i) => {
    if (p.value === null) {
      pen = false;
      return;
    }
    path += `${pen ? 'L' : 'M'}${xAt(i).toFixed(1)} ${yAt(p.value).toFixed(1)} `;
    pen = true;
  });
  return (
    <ChartFrame title={title} top={top} unit={unit} points={points} xAt={xAt}>
      {path ? <path class="line" d={path.trim()} /> : ''}
      {points.map((p, i) =>
        p.value === null ? (
          ''
        ) : (
          <circle class="dot" cx={xAt(i).toFixed(1)} cy={yAt(p.value).toFixed(1)} r="4">
            <title safe>{`${p.label}: ${fmt(clamp(p.value))}${unit}`}</title>
          </circle>
        ),
      )}
    </ChartFrame>
  );
}
