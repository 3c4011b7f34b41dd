/** The bars' geometry within the plot area: where zero is and how wide each bar is (pure). */
export function barLayout(values: readonly number[], width: number): { zero: number; scale: number } {
  const max = Math.max(0, ...values);
  const min = Math.min(0, ...values);
  const span = max - min;
  if (span === 0) return { zero: 0, scale: 0 };
  return { zero: (Math.abs(min) / span) * width, scale: width / span };
}
