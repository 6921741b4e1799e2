// contrastReport runs in the page: for each element matching a selector it
// blends the text colour over the element's effective background (walking
// up through transparent ancestors) and returns the WCAG contrast ratio.
export function contrastReport(selectors) {
  // Chromium reports rgb()/rgba() or, for colours with alpha from CSS
  // variables, color(srgb r g b / a) with channels in 0..1.
  const parse = (c) => {
    let m = c.match(/^color\(srgb ([^)]+)\)$/)
    if (m) {
      const [r, g, b, a = '1'] = m[1].split(/[ /]+/).filter(Boolean)
      return { r: r * 255, g: g * 255, b: b * 255, a: +a }
    }
    m = c.match(/^rgba?\(([^)]+)\)$/)
    if (!m) throw new Error(`unparsed colour ${c}`)
    const [r, g, b, a = '1'] = m[1].split(/[ ,/]+/).filter(Boolean)
    return { r: +r, g: +g, b: +b, a: +a }
  }
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  })
  const background = (el) => {
    const layers = []
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor)
      if (c.a > 0) {
        layers.push(c)
        if (c.a === 1) break
      }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 }
    for (const l of layers.reverse()) bg = over(l, bg)
    return bg
  }
  const lum = ({ r, g, b }) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
  }
  const out = []
  for (const sel of selectors) {
    for (const el of document.querySelectorAll(sel)) {
      const style = getComputedStyle(el)
      const bg = background(el)
      const fg = over({ ...parse(style.color), a: parse(style.color).a * +style.opacity }, bg)
      const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x)
      out.push({ sel, text: el.textContent.trim().slice(0, 40), ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100 })
    }
  }
  return out
}
