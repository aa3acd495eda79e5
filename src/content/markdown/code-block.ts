/**
 * The HTML around one code block (issue #3): a header with the block's title and language,
 * then the code itself, one `<span class="line">` per line.
 *
 *   <div class="code-block">
 *     <div class="code-header"><span class="code-title">src/app.ts</span>
 *       <span class="code-lang">TypeScript</span></div>
 *     <pre class="shiki ..." tabindex="0"><code>...</code></pre>
 *   </div>
 *
 * The copy button is added by `templates/assets/copy-code.js`: without JavaScript it could not
 * work. Every block gets the wrapper, so the script and the stylesheet find them all alike.
 * A fence's `{lineNumbers}` or `{lineNumbers=false}` adds the class `line-numbers` or
 * `no-line-numbers`: the stylesheet draws the numbers (issue #19), so they are never text that
 * a selection or the copy button could take along.
 */
import { escapeHtml } from './text.ts';

export interface CodeBlockParts {
  /** The `<pre>` element, highlighted or plain. */
  pre: string;
  title?: string | undefined;
  /** The language's name for people (`TypeScript`), or the fence word if Shiki lacks it. */
  language?: string | undefined;
  /** The fence's choice; undefined: the site's default. */
  lineNumbers?: boolean | undefined;
}

const LINE_NUMBERS_CLASS = { true: ' line-numbers', false: ' no-line-numbers' };

export function codeBlockHtml({ pre, title, language, lineNumbers }: CodeBlockParts): string {
  const header: string[] = [];
  if (title) header.push(`<span class="code-title">${escapeHtml(title)}</span>`);
  if (language) header.push(`<span class="code-lang">${escapeHtml(language)}</span>`);
  const headerHtml = header.length > 0 ? `<div class="code-header">${header.join('')}</div>` : '';
  const numbers = lineNumbers === undefined ? '' : LINE_NUMBERS_CLASS[`${lineNumbers}`];
  return `<div class="code-block${numbers}">${headerHtml}${pre}</div>`;
}

/**
 * A block Shiki does not colour (no language, or an unknown one), with the same line structure
 * so highlighted lines still work. `tabindex="0"` like Shiki's `<pre>`: keyboard users must be
 * able to reach a block wider than the page to scroll it.
 */
export function plainPre(code: string, lang: string, highlightLines: readonly number[]): string {
  const marked = new Set(highlightLines);
  const lines = code
    .split('\n')
    .map((line, i) => {
      const cls = marked.has(i + 1) ? 'line highlighted' : 'line';
      return `<span class="${cls}">${escapeHtml(line)}</span>`;
    })
    .join('\n');
  const langClass = lang === '' ? '' : ` class="language-${escapeHtml(lang)}"`;
  return `<pre tabindex="0"><code${langClass}>${lines}</code></pre>`;
}
