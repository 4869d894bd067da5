//! The console's stylesheet: readable on a laptop and a tablet, and in print.

pub const CSS: &str = r#"
* { box-sizing: border-box; }
body { margin: 0; font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 16px; color: #111827; background: #f4f5f7; }
header.top { display: flex; align-items: center; gap: 24px; background: #0b3d91; color: #fff; padding: 10px 20px; flex-wrap: wrap; }
.brand { font-weight: bold; font-size: 20px; } .brand span { font-weight: normal; opacity: .85; margin-left: 8px; }
nav { display: flex; gap: 6px; }
nav a { color: #fff; text-decoration: none; padding: 8px 12px; border-radius: 8px; display: inline-flex; align-items: center; }
nav a.on, nav a:hover { background: rgba(255,255,255,.18); }
form.logout { margin-left: auto; display: flex; align-items: center; gap: 10px; }
form.logout button { background: none; color: #fff; border: 1px solid #fff; border-radius: 6px; padding: 6px 10px; font-size: 16px; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 20px 40px; }
h1 { font-size: 24px; margin: 8px 0 16px; } h2 { font-size: 19px; margin: 24px 0 8px; }
.card { background: #fff; border: 1px solid #d1d5db; border-radius: 10px; padding: 16px; margin-bottom: 16px; }
.card > h2:first-child { margin-top: 0; }
textarea { font-family: inherit; }
.error { color: #991b1b; font-weight: bold; } .notice { color: #15803d; font-weight: bold; }
.muted { color: #4b5563; font-size: 14px; }
label { display: block; font-weight: bold; margin: 10px 0 4px; }
input:not([type]), input[type=text], input[type=password], input[type=search], input[type=number], input[type=date], input[type=email], select, textarea { font-size: 16px; padding: 8px 10px; border: 1px solid #6b7280; border-radius: 6px; width: 100%; max-width: 420px; }
button, .button { display: inline-flex; align-items: center; justify-content: center; font-size: 16px; padding: 9px 16px; border-radius: 8px; border: none; background: #0b3d91; color: #fff; text-decoration: none; cursor: pointer; }
.button.light, button.light { background: #fff; color: #0b3d91; border: 1px solid #0b3d91; }
button.danger { background: #b91c1c; }
.toolbar { display: flex; gap: 10px; align-items: end; flex-wrap: wrap; margin-bottom: 12px; }
.toolbar label { margin: 0 0 4px; }
table.rank { width: 100%; border-collapse: collapse; background: #fff; }
@media (max-width: 900px) { table.rank { display: block; overflow-x: auto; } main { padding: 12px; } }
table.rank th, table.rank td { padding: 7px 8px; border-bottom: 1px solid #e5e7eb; text-align: left; vertical-align: middle; }
table.rank th { background: #f9fafb; font-size: 14px; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.tier { display: inline-block; padding: 2px 8px; border-radius: 999px; font-size: 13px; font-weight: bold; }
.tier-destacado { background: #dcfce7; color: #166534; } .tier-satisfactorio { background: #e0f2fe; color: #075985; }
.tier-en_mejora { background: #fef3c7; color: #92400e; } .tier-no_elegible { background: #e5e7eb; color: #374151; }
.tier-baja { background: #fee2e2; color: #991b1b; } .state-pendiente { color: #92400e; font-weight: 600; } .state-aceptado { color: #166534; font-weight: 600; } .state-rechazado { color: #991b1b; font-weight: 600; }
.state { display: inline-block; padding: 2px 8px; border-radius: 999px; font-size: 13px; font-weight: bold; }
.state-abierto { background: #e0f2fe; color: #075985; } .state-cerrado { background: #fef3c7; color: #92400e; } .state-publicado { background: #dcfce7; color: #166534; }
.state-change { margin: 12px 0; } .state-change textarea { width: 100%; } code.digest { font-size: 12px; }
.tie { font-size: 12px; color: #7c2d12; font-weight: bold; margin-left: 4px; }
.reasons { margin: 2px 0 0; padding-left: 18px; font-size: 13px; color: #4b5563; }
.flags { margin: 4px 0; padding-left: 18px; }
.item { border-top: 1px solid #e5e7eb; padding: 12px 0; }
.item form { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; margin-top: 8px; }
.item textarea { max-width: 520px; min-height: 44px; }
svg.ci { display: block; }
tr.attention td { background: #fff7ed; }
.photos { display: flex; gap: 8px; flex-wrap: wrap; margin-top: 8px; } .photos img { border-radius: 6px; border: 1px solid #d1d5db; }
.photos figure { margin: 0; } .photos figcaption { font-size: 14px; color: #4b5563; }
.funnel-box { margin: 12px 0 8px; } svg.funnel { max-width: 100%; height: auto; } svg.axis { display: block; margin-top: 4px; overflow: visible; } svg.ci { overflow: visible; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; padding: 0; margin: 8px 0; align-items: center; } .legend li, p.legend { display: inline-flex; align-items: center; gap: 6px; } p.legend { flex-wrap: wrap; }
pre.preview { max-height: 320px; overflow: auto; background: #f9fafb; border: 1px solid #e5e7eb; padding: 10px; font-size: 13px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; margin: 0; } dl.facts dt { font-weight: bold; } dl.facts dd { margin: 0; }
dl.answers { margin: 0 0 8px; } dl.answers dt { font-weight: bold; margin-top: 10px; } dl.answers dd { margin: 2px 0 0 0; padding-left: 12px; border-left: 3px solid #d1d5db; }
details > summary.button-like { display: inline-flex; align-items: center; min-height: 44px; padding: 9px 16px; border-radius: 8px; cursor: pointer; list-style: none; font-size: 16px; }
details.edit { margin: 8px 0; } details.edit > summary.button-like { border: 1px solid #0b3d91; color: #0b3d91; background: #fff; }
summary.danger-outline { border: 2px solid #b91c1c; color: #991b1b; background: #fff; font-weight: bold; }
details[open] > summary.button-like { margin-bottom: 8px; }
#decidir form { margin: 8px 0; }
button, .button, nav a, input, select, summary { min-height: 44px; }
input[type=file] { font-size: 16px; }
table.rank td a, ul.periods a, .item > a, a.tap { display: inline-flex; align-items: center; min-height: 44px; }
@media (max-width: 1024px) {
  .muted, table.rank th, .reasons, .photos figcaption, .tier, .state, pre.preview, code.digest { font-size: 16px; }
  nav { flex-wrap: wrap; }
}
.poster { max-width: 720px; margin: 0 auto; padding: 32px; background: #fff; border: 3px solid #0b3d91; border-radius: 12px; text-align: center; }
.poster h2 { font-size: 40px; margin: 8px 0 12px; } .poster .big { font-size: 22px; } .poster .qr svg { width: 420px; max-width: 100%; height: auto; }
.poster .centro { font-size: 26px; font-weight: bold; margin: 12px 0 4px; } .poster .url { font-size: 12px; color: #4b5563; word-break: break-all; }
@media print { header.top nav, form.logout, .toolbar, .no-print { display: none; } body { background: #fff; } .card { border: none; break-inside: avoid; } h2 { break-after: avoid; } main { padding-top: 0; } }
"#;
