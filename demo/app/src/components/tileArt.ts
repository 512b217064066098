/** A deterministic gradient per generation (the demo has no image model): same id, same picture. */
export function tileArt(seed: number | string): string {
  const text = String(seed)
  let hash = 0
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) >>> 0
  // Golden-angle steps spread neighbouring ids (1, 2, 3…) across the colour wheel.
  const hue = Math.round((hash * 137.508) % 360)
  return `linear-gradient(135deg, hsl(${hue} 70% 55%), hsl(${(hue + 70) % 360} 65% 35%))`
}
