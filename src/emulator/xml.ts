/**
 * Just enough XML for S3 request bodies (CreateBucketConfiguration, Delete, CompleteMultipartUpload,
 * PublicAccessBlockConfiguration, ServerSideEncryptionConfiguration): elements, text, the five predefined
 * entities and numeric references, comments and the XML declaration. DOCTYPE is refused (no entity expansion).
 */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

export class XmlSyntaxError extends Error {}

const MAX_DEPTH = 32;
const MAX_ELEMENTS = 100_000;

export function parseXml(input: string): XmlElement {
  let i = 0;
  let count = 0;
  const s = input;
  const fail = (m: string): never => {
    throw new XmlSyntaxError(`${m} at offset ${i}`);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < s.length && /\s/.test(s[i]!)) i++;
      if (s.startsWith('<?', i)) {
        const end = s.indexOf('?>', i);
        if (end < 0) fail('unterminated processing instruction');
        i = end + 2;
      } else if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (s.startsWith('<!', i)) {
        fail('DOCTYPE and declarations are not allowed');
      } else return;
    }
  };
  const name = (): string => {
    const m = /^[A-Za-z_][\w.:-]*/.exec(s.slice(i, i + 256));
    if (!m) fail('expected an element name');
    i += m![0].length;
    return m![0];
  };
  const element = (depth: number): XmlElement => {
    if (depth > MAX_DEPTH) fail('elements nested too deeply');
    if (++count > MAX_ELEMENTS) fail('too many elements');
    if (s[i] !== '<') fail("expected '<'");
    i++;
    const tag = name();
    // attributes (xmlns etc.) are read and ignored
    for (;;) {
      while (i < s.length && /\s/.test(s[i]!)) i++;
      if (s[i] === '/' && s[i + 1] === '>') {
        i += 2;
        return { name: localName(tag), children: [], text: '' };
      }
      if (s[i] === '>') {
        i++;
        break;
      }
      name();
      while (/\s/.test(s[i] ?? '')) i++;
      if (s[i] !== '=') fail("expected '=' in attribute");
      i++;
      while (/\s/.test(s[i] ?? '')) i++;
      const q = s[i];
      if (q !== '"' && q !== "'") fail('expected a quoted attribute value');
      const end = s.indexOf(q!, i + 1);
      if (end < 0) fail('unterminated attribute value');
      i = end + 1;
    }
    const el: XmlElement = { name: localName(tag), children: [], text: '' };
    for (;;) {
      if (i >= s.length) fail(`unterminated element <${tag}>`);
      if (s.startsWith('</', i)) {
        i += 2;
        const closing = name();
        if (closing !== tag) fail(`mismatched closing tag </${closing}> for <${tag}>`);
        while (/\s/.test(s[i] ?? '')) i++;
        if (s[i] !== '>') fail("expected '>'");
        i++;
        return el;
      }
      if (s.startsWith('<!--', i)) {
        const end = s.indexOf('-->', i);
        if (end < 0) fail('unterminated comment');
        i = end + 3;
      } else if (s.startsWith('<![CDATA[', i)) {
        const end = s.indexOf(']]>', i);
        if (end < 0) fail('unterminated CDATA');
        el.text += s.slice(i + 9, end);
        i = end + 3;
      } else if (s[i] === '<') {
        el.children.push(element(depth + 1));
      } else {
        const end = s.indexOf('<', i);
        el.text += decodeEntities(s.slice(i, end < 0 ? s.length : end), fail);
        i = end < 0 ? s.length : end;
      }
    }
  };
  skipMisc();
  const root = element(0);
  skipMisc();
  if (i !== s.length) fail('content after the root element');
  return root;
}

function localName(tag: string): string {
  const c = tag.indexOf(':');
  return c < 0 ? tag : tag.slice(c + 1);
}

function decodeEntities(text: string, fail: (m: string) => never): string {
  return text.replace(/&([^;]{0,10});/g, (_, e: string) => {
    switch (e) {
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'amp':
        return '&';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
    }
    const m = /^#(x[0-9a-fA-F]+|\d+)$/.exec(e);
    if (!m) return fail(`unknown entity &${e};`);
    const code = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
    if (!(code >= 0 && code <= 0x10ffff)) return fail(`invalid character reference &${e};`);
    return String.fromCodePoint(code);
  });
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function childText(el: XmlElement, name: string): string | undefined {
  return child(el, name)?.text;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Builds XML from nested [name, content] data; strings are escaped, undefined members are skipped. */
export type XmlNode = [string, XmlContent];
export type XmlContent = string | number | boolean | undefined | XmlNode[];

export function xml(nodes: XmlNode[]): string {
  return nodes
    .map(([name, content]) => {
      if (content === undefined) return '';
      if (Array.isArray(content)) return `<${name}>${xml(content)}</${name}>`;
      return `<${name}>${escapeXml(String(content))}</${name}>`;
    })
    .join('');
}

export function xmlDocument(root: string, namespace: string | undefined, content: XmlNode[]): string {
  const ns = namespace ? ` xmlns="${namespace}"` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${xml(content)}</${root}>`;
}
