/** A problem the card-picture tool reports by its message alone, without a stack. */
export class RenderCardsError extends Error {
  override readonly name = 'RenderCardsError';
}
