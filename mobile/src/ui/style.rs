//! The app's stylesheet: phone-sized, large touch targets, high contrast for sunlight.

pub const CSS: &str = r#"
* { box-sizing: border-box; }
html, body { margin: 0; background: #f4f5f7; color: #111827;
  font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 18px; }
.app { max-width: 480px; margin: 0 auto; min-height: 100vh; background: #ffffff; }
.bar { background: #0b3d91; color: #fff; padding: 18px 20px; }
.bar h1 { margin: 0; font-size: 26px; letter-spacing: .5px; }
.bar p { margin: 4px 0 0; font-size: 15px; opacity: .9; }
.card { margin: 16px; padding: 16px; border: 2px solid #d1d5db; border-radius: 12px; }
.card h2 { margin: 0 0 10px; font-size: 19px; }
.status { display: flex; align-items: center; gap: 10px; font-weight: bold; }
.dot { width: 16px; height: 16px; border-radius: 50%; flex: none; }
.ok .dot { background: #15803d; } .warn .dot { background: #b45309; } .wait .dot { background: #6b7280; }
.muted { color: #4b5563; font-size: 15px; }
ul.forms { list-style: none; margin: 0; padding: 0; }
ul.forms li { padding: 10px 0; border-top: 1px solid #e5e7eb; }
ul.forms li:first-child { border-top: none; }
.big { display: block; width: 100%; min-height: 56px; margin-top: 12px; font-size: 19px;
  font-weight: bold; border: none; border-radius: 10px; background: #0b3d91; color: #fff; }
.big:active { background: #082b66; }
"#;
