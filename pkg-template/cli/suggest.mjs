// "Did you mean ...?" for the CLI: the closest of the known names to a mistyped one (commands,
// flags, event codes), by edit distance, so that a typo is caught before anything is sent.

/** Levenshtein distance with adjacent transpositions counted as one edit ("craeted"). */
export function editDistance(a, b) {
  const rows = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i].push(d);
    }
  }
  return rows[a.length][b.length];
}

/**
 * The known name closest to `name`, if it is close enough to be a typo of it: at most 2 edits,
 * and fewer than a third of the name's length (so that short names are not matched to anything).
 */
export function closest(name, known) {
  let best;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance > 0 && bestDistance <= Math.min(2, Math.ceil(name.length / 3)) ? best : undefined;
}

/** ` Did you mean X?` or nothing. */
export function didYouMean(name, known, show = (x) => x) {
  const match = closest(name, known);
  return match === undefined ? "" : ` Did you mean ${show(match)}?`;
}
