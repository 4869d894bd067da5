//! The app's stylesheet: phone-sized, large touch targets, high contrast for sunlight.

pub const CSS: &str = r#"
* { box-sizing: border-box; }
html, body { margin: 0; background: #f4f5f7; color: #111827;
  font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 18px; }
.app { max-width: 480px; margin: 0 auto; min-height: 100vh; background: #ffffff; padding-bottom: 24px; }
.bar { background: #0b3d91; color: #fff; padding: 14px 16px; display: flex; align-items: center; gap: 12px; }
.bar h1 { margin: 0; font-size: 23px; letter-spacing: .3px; }
.bar p { margin: 3px 0 0; font-size: 16px; opacity: .92; }
.back { background: none; border: 2px solid #fff; color: #fff; font-size: 28px; width: 48px; height: 48px;
  border-radius: 10px; line-height: 1; flex: none; }
.card { margin: 14px; padding: 14px; border: 2px solid #d1d5db; border-radius: 12px; }
.card h2 { margin: 0 0 10px; font-size: 19px; }
.card.alert { border-color: #b45309; background: #fffbeb; }
.card.done { text-align: center; border-color: #15803d; }
.status-strip { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; width: calc(100% - 28px); margin: 12px 14px 0;
  padding: 12px; border: 2px solid #d1d5db; border-radius: 10px; background: #fff; font-size: 16px; font-weight: bold; text-align: left; }
.pill { margin-left: auto; background: #e5e7eb; border-radius: 999px; padding: 4px 10px; font-size: 16px; white-space: nowrap; }
.dot { width: 16px; height: 16px; border-radius: 50%; flex: none; }
.ok .dot { background: #15803d; } .warn .dot { background: #b45309; } .wait .dot { background: #6b7280; }
.muted { color: #4b5563; font-size: 16px; }
.error { color: #991b1b; font-weight: bold; font-size: 16px; }
.reason { margin: 4px 0 0; color: #7c2d12; }
label { display: block; font-weight: bold; margin: 12px 0 6px; }
.field { width: 100%; min-height: 54px; font-size: 20px; padding: 10px 12px; border: 2px solid #6b7280; border-radius: 10px; }
textarea.field { min-height: 110px; }
.big, .huge, .secondary { display: block; width: 100%; min-height: 58px; margin-top: 12px; font-size: 19px;
  font-weight: bold; border: none; border-radius: 10px; background: #0b3d91; color: #fff; }
.huge { min-height: 120px; font-size: 24px; }
.big:disabled { background: #9ca3af; }
.big.danger { background: #b91c1c; }
.secondary { background: #fff; color: #0b3d91; border: 2px solid #0b3d91; }
.secondary:disabled { color: #9ca3af; border-color: #d1d5db; }
.link { display: block; margin: 18px auto 0; background: none; border: none; color: #991b1b; font-size: 16px; text-decoration: underline;
  min-height: 44px; padding: 0 12px; }
.row { padding: 8px 0; border-top: 1px solid #e5e7eb; }
.row-button { display: block; width: 100%; text-align: left; padding: 12px 4px; background: none; border: none;
  border-top: 1px solid #e5e7eb; font-size: 17px; min-height: 52px; }
.centro { padding: 12px 0; border-top: 1px solid #e5e7eb; }
.centro:first-of-type { border-top: none; }
.quota { margin-top: 4px; }
.counter { text-align: center; }
.count { font-size: 72px; font-weight: bold; margin: 6px 0 0; }
.next { font-size: 18px; }
.select { margin-top: 14px; padding: 12px; border: 3px solid #15803d; border-radius: 12px; background: #f0fdf4; }
.select strong { font-size: 22px; }
.progress { height: 10px; background: #e5e7eb; }
.progress-fill { height: 10px; background: #15803d; }
.step { margin: 10px 16px 0; }
.question { margin-bottom: 18px; }
.question .label { font-size: 21px; line-height: 1.3; margin-top: 4px; }
.instance { color: #4b5563; }
.hint { color: #374151; font-size: 16px; margin: 0 0 8px; }
.previous { display: inline-block; background: #eef2ff; color: #1e3a8a; border-radius: 8px; padding: 4px 8px; font-size: 15px; margin: 0 0 8px; }
.suggestion { background: #f0fdf4; border: 1px solid #86efac; border-radius: 10px; padding: 10px 12px; margin: 8px 0; font-size: 16px; }
.suggestion p { margin: 4px 0; } .suggestion textarea { font: inherit; width: 100%; box-sizing: border-box; } .suggestion .ok { color: #166534; font-weight: 600; }
.choices { display: flex; flex-direction: column; gap: 10px; }
.choices.item { flex-direction: row; flex-wrap: wrap; }
.choices.item .choice { flex: 1 1 45%; }
.choice { display: flex; align-items: center; gap: 12px; min-height: 58px; padding: 10px 14px; font-size: 19px; text-align: left;
  background: #fff; border: 2px solid #6b7280; border-radius: 12px; color: #111827; }
.choice.on { background: #0b3d91; border-color: #0b3d91; color: #fff; font-weight: bold; }
.choice.on .face circle:first-child { fill: #fff; }
.face { flex: none; }
.steps { display: flex; gap: 10px; margin: 0 14px; }
.steps > button { flex: 1; margin-top: 0; }
.photo { margin-top: 10px; }
.photo-button { display: inline-block; padding: 12px 14px; border: 2px dashed #0b3d91; border-radius: 10px; color: #0b3d91;
  font-size: 16px; margin: 0; }
.photo-file { position: absolute; width: 1px; height: 1px; opacity: 0; overflow: hidden; }
.photo-button { cursor: pointer; }
.secondary.wide { width: calc(100% - 28px); margin: 12px 14px 0; }
.commitment { padding: 10px 0; border-top: 1px solid #e5e7eb; }
.milestone { margin: 10px 0 0 10px; padding-left: 10px; border-left: 4px solid #0b3d91; }
.verified { color: #15803d; font-weight: bold; margin-top: 6px; }
.stopwatch { display: flex; align-items: center; gap: 12px; margin-top: 8px; }
.stopwatch .secondary, .stopwatch .big { margin-top: 0; }
.clock { font-size: 28px; font-weight: bold; font-variant-numeric: tabular-nums; min-width: 90px; }
.ok-text { color: #15803d; font-weight: bold; }
table.ledger { width: 100%; border-collapse: collapse; font-size: 17px; }
table.ledger td, table.ledger th { padding: 6px 4px; border-top: 1px solid #e5e7eb; text-align: right; }
table.ledger td:first-child, table.ledger th:first-child { text-align: left; }
.choices.horizontal { flex-direction: row; flex-wrap: wrap; }
.choices.horizontal .choice { flex: 1 1 40%; }
.choices.likert { flex-direction: row; gap: 4px; }
.choices.likert .choice { flex: 1 1 0; flex-direction: column; justify-content: center; text-align: center; font-size: 15px; padding: 8px 4px; }
.table-list .question { margin-bottom: 6px; }
.table-list .choices { flex-direction: row; gap: 4px; }
.table-list .choice { flex: 1 1 0; justify-content: center; font-size: 15px; min-height: 48px; padding: 6px 4px; }
.rank { list-style: decimal; padding-left: 28px; margin: 0; }
.rank li { display: flex; align-items: center; gap: 8px; padding: 6px 0; border-bottom: 1px solid #e5e7eb; font-size: 18px; }
.rank .rank-label { flex: 1; }
.rank li button { margin: 0; flex: none; width: 52px; min-height: 44px; padding: 0; }
.file-preview { display: block; max-width: 160px; max-height: 120px; border-radius: 8px; border: 1px solid #d1d5db; margin-bottom: 6px; }
.geo-points { font-family: monospace; font-size: 15px; padding-left: 24px; }
.file-kept { font-size: 15px; word-break: break-all; color: #15803d; font-weight: bold; }
canvas.signature { width: 100%; height: 160px; border: 2px solid #6b7280; border-radius: 10px; touch-action: none; background: #fff; }
.row-actions { display: flex; gap: 10px; align-items: center; }
.guidance { font-size: 15px; color: #92400e; background: #fef3c7; border-radius: 8px; padding: 6px 10px; margin: 4px 0 8px; }
.question-media { display: block; max-width: 100%; max-height: 220px; margin: 6px 0 10px; border-radius: 8px; }
.choice-image { width: 56px; height: 56px; object-fit: contain; flex: none; }
.photo-thumbs { list-style: none; display: flex; flex-wrap: wrap; gap: 10px; padding: 0; margin: 0 0 8px; }
.photo-thumbs li { display: flex; flex-direction: column; align-items: center; gap: 4px; }
.photo-thumbs img { width: 96px; height: 72px; object-fit: cover; border-radius: 8px; border: 1px solid #d1d5db; }
.secondary.thumb-remove { min-height: 44px; width: 96px; margin: 0; font-size: 16px; }
.backdrop { position: fixed; inset: 0; background: rgba(17, 24, 39, .45); z-index: 9; }
.dialog { position: fixed; left: 0; right: 0; bottom: 0; max-width: 480px; margin: 0 auto; z-index: 10; background: #fffbeb;
  border-radius: 16px 16px 0 0; box-shadow: 0 -6px 24px rgba(0, 0, 0, .25); padding-bottom: 18px; }
.dialog .steps { margin: 12px 0 0; }
.summary-section { font-size: 17px; margin: 16px 0 4px; color: #0b3d91; }
.summary-row { display: flex; flex-direction: column; gap: 2px; }
.summary-label { font-size: 15px; color: #374151; }
.summary-answer { font-size: 18px; font-weight: bold; color: #111827; }
.summary-row.missing { background: #fef2f2; border-left: 5px solid #b91c1c; padding-left: 10px; }
.summary-row.missing .summary-answer { color: #991b1b; }
.app.kiosk { max-width: 760px; font-size: 20px; }
.app.kiosk .muted { font-size: 17px; }
.kiosk-welcome { text-align: center; padding: 28px 20px; }
.kiosk-welcome h2 { font-size: 30px; margin-bottom: 16px; }
.kiosk-welcome p { font-size: 21px; line-height: 1.45; }
.link.quiet { color: #374151; }
dl.summary { margin: 0; } dl.summary dt { font-size: 15px; color: #374151; margin-top: 10px; } dl.summary dd { margin: 2px 0 0; font-weight: bold; }
"#;
