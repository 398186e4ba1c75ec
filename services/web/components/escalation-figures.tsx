import type { EscalationFigures } from '../../deadlines/deadline-report.js';

const KIND_LABEL: Record<EscalationFigures['kind'], string> = {
  safeguarding: 'Safeguarding',
  senior_leader: 'Unacceptable conduct (senior leader)',
  police: 'Referred to the police',
  platform_report: 'Reported to the platform',
  media: 'Media enquiry',
};

function duration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 3_600) return `${Math.max(1, Math.round(seconds / 60))} min`;
  return `${(seconds / 3_600).toFixed(1)} h`;
}

/** The report's escalations (P6–P8): raised and closed in the range, open now, time to acknowledge. */
export function EscalationFiguresSection({
  figures,
}: {
  figures: readonly EscalationFigures[];
}): JSX.Element {
  return (
    <section aria-labelledby="escalations-h">
      <h2 id="escalations-h">Escalations</h2>
      <div class="table-wrap">
        <table class="escalation-figures">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Raised</th>
              <th scope="col">Of which by hand</th>
              <th scope="col">Closed</th>
              <th scope="col">Open now</th>
              <th scope="col">Median time to acknowledge</th>
            </tr>
          </thead>
          <tbody>
            {figures.map((f) => (
              <tr>
                <th scope="row" safe>
                  {KIND_LABEL[f.kind]}
                </th>
                <td>{f.raised}</td>
                <td>{f.raisedByHand}</td>
                <td>{f.closed}</td>
                <td>{f.openNow}</td>
                <td safe>{duration(f.medianSecondsToAcknowledge)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
