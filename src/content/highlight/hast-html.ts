/**
 * Serializes the small HAST trees Shiki builds for a code block (`pre > code > span.line > span`
 * with text), byte-identical to Shiki's `codeToHtml`, whose general-purpose `hast-util-to-html`
 * was a measurable share of highlighting time: the same escapes (hexadecimal references for `&`
 * and `<` in text, `&` and `"` in attribute values). Any other node type is an error.
 */

interface HastNode {
  type: string;
  value?: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
}

const TEXT_ESCAPES: Record<string, string> = { '&': '&#x26;', '<': '&#x3C;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&#x26;', '"': '&#x22;' };

const escapeText = (text: string) => text.replace(/[&<]/g, (c) => TEXT_ESCAPES[c] ?? c);
const escapeAttribute = (text: string) => text.replace(/[&"]/g, (c) => ATTRIBUTE_ESCAPES[c] ?? c);

export function hastToHtml(node: HastNode): string {
  switch (node.type) {
    case 'root':
      return children(node);
    case 'text':
      return escapeText(node.value ?? '');
    case 'element':
      return `<${node.tagName}${attributes(node.properties)}>${children(node)}</${node.tagName}>`;
    default:
      throw new Error(`Unexpected "${node.type}" node in highlighted code`);
  }
}

function children(node: HastNode): string {
  let html = '';
  for (const child of node.children ?? []) html += hastToHtml(child);
  return html;
}

function attributes(properties: Record<string, unknown> | undefined): string {
  let html = '';
  for (const [key, value] of Object.entries(properties ?? {})) {
    const name = key === 'className' ? 'class' : key; // HAST's name for `class`, if ever used
    if (value === undefined || value === null || value === false) continue;
    if (value === true) {
      html += ` ${name}`;
      continue;
    }
    // Shiki's properties are strings, numbers (tabindex) or class lists.
    const text = Array.isArray(value)
      ? value.join(' ')
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
    html += ` ${name}="${escapeAttribute(text)}"`;
  }
  return html;
}
