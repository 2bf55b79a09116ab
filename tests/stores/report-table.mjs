// Prints rows as a Markdown table in the test output, so that the fault suites' counts can be
// quoted as they are.

/** `printTable(title, header, rows)`: rows of strings, each as long as `header`. */
export function printTable(title, header, rows) {
  const width = header.map((cell) => cell.length);
  for (const row of rows) {
    for (const [i, cell] of row.entries()) width[i] = Math.max(width[i], cell.length);
  }
  const line = (row) => `| ${row.map((cell, i) => cell.padEnd(width[i])).join(" | ")} |`;
  console.log([title, line(header), line(width.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n"));
}
