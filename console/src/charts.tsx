/**
 * Two small pictures drawn as inline SVG by the page itself (no charting library): a person's place
 * in the org, and a tenant's run history.
 */
import type { OrgNode, RunRecord } from './types';

const STATE_TEXT: Record<OrgNode['state'], string> = {
  synced: 'in the product',
  excluded: 'excluded',
  inactive: 'inactive',
  deleted: 'deleted',
  'not-synced': 'not in the product',
};

const label = (n: { name: string | null; employeeId: string }) => {
  const text = n.name ?? `#${n.employeeId}`;
  return text.length > 22 ? `${text.slice(0, 21)}…` : text;
};

/** The manager chain above the person (top first) and their direct reports below, each box marked by its state. */
export const OrgPicture = ({ person, chain, reports, moreReports }: { person: OrgNode; chain: readonly OrgNode[]; reports: readonly OrgNode[]; moreReports: number }) => {
  const boxW = 170;
  const boxH = 40;
  const gapY = 26;
  const perRow = 4;
  const top = [...chain].reverse();
  const reportRows = Math.ceil(reports.length / perRow);
  const width = Math.max(boxW + 20, Math.min(reports.length, perRow) * (boxW + 12) + 8);
  const height = (top.length + 1) * (boxH + gapY) + reportRows * (boxH + 12) + (moreReports > 0 ? 24 : 0) + 8;
  const cx = width / 2;
  const box = (n: OrgNode, x: number, y: number, role: string, current = false) => (
    <g key={`${role}-${n.employeeId}`} className={`org-node org-${n.state}${current ? ' org-current' : ''}`} data-role={role} data-state={n.state} data-employee={n.employeeId}>
      <title>{`${n.name ?? 'Unnamed'} (#${n.employeeId}): ${STATE_TEXT[n.state]}`}</title>
      <rect x={x} y={y} width={boxW} height={boxH} rx={6} />
      <text x={x + boxW / 2} y={y + 17} textAnchor="middle" className="org-name">
        {label(n)}
      </text>
      <text x={x + boxW / 2} y={y + 32} textAnchor="middle" className="org-state">
        {`#${n.employeeId} · ${STATE_TEXT[n.state]}`}
      </text>
    </g>
  );
  const personY = top.length * (boxH + gapY);
  const reportsY = personY + boxH + gapY;
  return (
    <svg className="org-picture" role="img" aria-label={`Org: ${top.length} manager(s) above, ${reports.length + moreReports} direct report(s)`} viewBox={`0 0 ${width} ${height}`} width={width} height={height}>
      {top.map((n, i) => (
        <line key={`l-${n.employeeId}`} x1={cx} y1={i * (boxH + gapY) + boxH} x2={cx} y2={(i + 1) * (boxH + gapY)} className="org-edge" />
      ))}
      {top.map((n, i) => box(n, cx - boxW / 2, i * (boxH + gapY), 'manager'))}
      {box(person, cx - boxW / 2, personY, 'person', true)}
      {reports.map((n, i) => {
        const row = Math.floor(i / perRow);
        const inRow = Math.min(perRow, reports.length - row * perRow);
        const col = i % perRow;
        const x = cx - (inRow * (boxW + 12) - 12) / 2 + col * (boxW + 12);
        const y = reportsY + row * (boxH + 12);
        return (
          <g key={`r-${n.employeeId}`}>
            <line x1={cx} y1={personY + boxH} x2={x + boxW / 2} y2={y} className="org-edge" />
            {box(n, x, y, 'report')}
          </g>
        );
      })}
      {moreReports > 0 ? (
        <text x={cx} y={height - 8} textAnchor="middle" className="org-more">
          {`and ${moreReports} more`}
        </text>
      ) : null}
    </svg>
  );
};

const TYPES = [
  ['created', 'new'],
  ['updated', 'updated'],
  ['deactivated', 'deactivated'],
  ['reactivated', 'reactivated'],
] as const;

/** Changes per run by type (stacked bars, oldest left), held and failed runs marked. */
export const RunChart = ({ runs }: { runs: readonly RunRecord[] }) => {
  const shown = [...runs].reverse().slice(-30);
  const barW = 18;
  const gap = 8;
  const plotH = 120;
  const left = 36;
  const width = left + shown.length * (barW + gap) + 8;
  const total = (r: RunRecord) => TYPES.reduce((sum, [t]) => sum + (r.counts[t] ?? 0), 0);
  const max = Math.max(1, ...shown.map(total));
  const scale = (n: number) => (n / max) * (plotH - 10);
  return (
    <figure className="run-chart">
      <svg role="img" aria-label={`Changes per run, the last ${shown.length} runs`} viewBox={`0 0 ${width} ${plotH + 24}`} width={width} height={plotH + 24}>
        <line x1={left - 4} y1={plotH} x2={width} y2={plotH} className="axis" />
        <text x={left - 8} y={12} textAnchor="end" className="axis-label">
          {max}
        </text>
        <text x={left - 8} y={plotH} textAnchor="end" className="axis-label">
          0
        </text>
        {shown.map((r, i) => {
          const x = left + i * (barW + gap);
          let y = plotH;
          const parts = TYPES.map(([type]) => {
            const h = scale(r.counts[type] ?? 0);
            y -= h;
            return h > 0 ? <rect key={type} x={x} y={y} width={barW} height={h} className={`bar-${type}`} /> : null;
          });
          return (
            <g key={r.runId} className="run-bar" data-run={r.runId} data-status={r.status} data-changes={total(r)}>
              <title>{`${r.startedAt}: ${r.status}, ${TYPES.map(([t, l]) => `${r.counts[t] ?? 0} ${l}`).join(', ')}`}</title>
              {parts}
              {r.status === 'held' || r.status === 'failed' ? (
                <text x={x + barW / 2} y={plotH - scale(total(r)) - 4} textAnchor="middle" className={`mark-${r.status}`}>
                  {r.status === 'held' ? 'H' : '✗'}
                </text>
              ) : null}
              <rect x={x} y={plotH + 4} width={barW} height={4} className={`status-${r.status}`} />
            </g>
          );
        })}
      </svg>
      <figcaption className="legend small muted">
        {TYPES.map(([t, l]) => (
          <span key={t}>
            <span className={`swatch bar-${t}`} aria-hidden="true" /> {l}
          </span>
        ))}
        <span>H held</span>
        <span>✗ failed</span>
      </figcaption>
    </figure>
  );
};
