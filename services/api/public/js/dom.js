/**
 * Creates an element with attributes (`class`, `for`, `aria-*`, `data-*`, `hidden`…) and children.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | boolean | number>} [attributes]
 * @param {...(Node | string)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false) continue;
    element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children);
  return element;
}

/**
 * Sets the text of an element only when it changed (avoids needless layout work on live updates).
 * @param {Element} element
 * @param {string} text
 */
export function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

/**
 * Sets `class` only when it changed.
 * @param {Element} element
 * @param {string} className
 */
export function setClass(element, className) {
  if (element.className !== className) element.className = className;
}
