/**
 * One list of escalation cards, as the escalations queue and the safeguarding page show them: a
 * section with its heading (the open list counts its cards), the cards most severe first as the
 * caller ordered them, or a line saying there are none. The caller draws each card.
 */
export function EscalationList<T>({
  id,
  title,
  counted = false,
  items,
  empty,
  card,
}: {
  /** The heading's id (the section is labelled by it): "open-h", "closed-h". */
  id: string;
  title: string;
  /** Shows the number of cards in the heading: "Open escalations (2)". */
  counted?: boolean;
  items: readonly T[];
  /** What is said when there is no card. */
  empty: string;
  card: (item: T) => JSX.Element;
}): JSX.Element {
  return (
    <section aria-labelledby={id}>
      <h2 id={id} safe>
        {counted ? `${title} (${items.length})` : title}
      </h2>
      {items.length === 0 ? (
        <p class="empty" safe>
          {empty}
        </p>
      ) : (
        <ol class="cards">{items.map(card)}</ol>
      )}
    </section>
  );
}
