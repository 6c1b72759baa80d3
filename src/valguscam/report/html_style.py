"""The report page's CSS (inline in report.html): screen and A4 print, no external resource."""

CSS = """
:root { --left: #0072B2; --right: #D55E00; --event: #CC79A7; --ink: #1b1b1b; --muted: #5a5a5a; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: var(--ink);
       max-width: 1100px; margin: 0 auto; padding: 24px 28px; line-height: 1.45; font-size: 15px; }
header h1 { margin: 0 0 4px 0; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 20px; border-bottom: 2px solid #ddd; padding-bottom: 4px; margin: 28px 0 12px 0; }
h3 { font-size: 16px; margin: 16px 0 6px 0; }
section { margin-bottom: 12px; }
.findings p { margin: 6px 0; }
.findings p.knee { font-size: 16px; padding: 8px 12px; border-left: 6px solid #bbb;
                   background: #f6f6f6; }
.findings p.left { border-left-color: var(--left); }
.findings p.right { border-left-color: var(--right); }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eee; }
td.num { text-align: right; white-space: nowrap; }
th.left { background: #dbe9f4; } th.right { background: #f7e0d2; }
.v-valgus { color: #a3003f; font-weight: bold; }
.v-varus { color: #7a4a00; font-weight: bold; }
.v-ok { color: #1d6b2f; font-weight: bold; }
.v-not_assessable, .not-judged { color: var(--muted); }
figure { margin: 12px 0; }
figure svg, figure img { width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
.safety { border: 3px solid #a3003f; background: #fff0f3; padding: 12px 16px; font-size: 17px;
          font-weight: bold; border-radius: 4px; }
ul { margin: 4px 0 8px 0; padding-left: 22px; }
li { margin: 3px 0; }
footer { margin-top: 32px; border-top: 1px solid #ccc; padding-top: 8px; color: var(--muted);
         font-size: 12px; word-break: break-all; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  section.page { break-before: page; }
  h2, h3 { break-after: avoid; }
  table, figure, .safety, .findings p { break-inside: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  table { font-size: 8.5pt; }
  figure { max-height: 250mm; }
  figure svg, figure img { max-height: 235mm; width: 100%; object-fit: contain; }
}
"""
