import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHTML } from 'entities';
import fc from 'fast-check';
import { parseQuery } from '../../src/content/search/query.ts';
import { snippet } from '../../src/content/search/snippet.ts';

const filler = (word: string, count: number) => Array.from({ length: count }, () => word).join(' ');

describe('snippet', () => {
  it('quotes a short text whole, marking the matched words in any case', () => {
    assert.equal(
      snippet('Probes ask the pod. A probe fails.', ['probes', 'pod']),
      '<mark>Probes</mark> ask the <mark>pod</mark>. A probe fails.',
    );
  });

  it('picks the part with the most of the words found, over one word repeated', () => {
    const text = `${filler('alpha', 40)} ${filler('lorem', 40)} alpha beta gamma ${filler('lorem', 40)}`;
    const quoted = snippet(text, ['alpha', 'beta', 'gamma']);
    assert.match(quoted, /<mark>alpha<\/mark> <mark>beta<\/mark> <mark>gamma<\/mark>/);
    assert.ok(quoted.startsWith('…') && quoted.endsWith('…'), 'cut at both ends');
    // The matches sit in the middle of the quote, not at an edge.
    const [before = '', after = ''] = quoted.split('<mark>beta</mark>');
    const words = (text: string) => text.split(/\s+/).filter((word) => /\w/.test(word)).length;
    assert.ok(Math.abs(words(before) - words(after)) <= 2, quoted);
  });

  it('quotes the beginning when only the title matched', () => {
    const text = `${filler('lorem', 50)} end`;
    const quoted = snippet(text, ['title']);
    assert.ok(quoted.startsWith('lorem lorem') && quoted.endsWith('…'), quoted);
    assert.doesNotMatch(quoted, /<mark>/);
  });

  it('parts words where the search does: astral letters are letters, emoji and punctuation part', () => {
    assert.equal(
      snippet('(𝒜lpha) 😀beta. ', ['𝒜lpha', 'beta']),
      '(<mark>𝒜lpha</mark>) 😀<mark>beta</mark>. ',
    );
    assert.equal(snippet('alphabet alpha-beta', ['alpha']), 'alphabet <mark>alpha</mark>-beta');
  });

  it('marks a word whose lower case differs in more than ASCII letters', () => {
    assert.equal(snippet('Éclair in İstanbul', ['éclair']), '<mark>Éclair</mark> in İstanbul');
    // İ lower-cases to two code units: the word is shorter than its term.
    assert.equal(
      snippet('Éclair in İstanbul', ['İstanbul'.toLowerCase()]),
      'Éclair in <mark>İstanbul</mark>',
    );
  });

  it('marks every quoted word that is one of the terms, and no other word', () => {
    const word = fc.constantFrom('probe', 'Probe', 'pod', 'PODS', 'drain', 'é', 'Σ', '𝒜');
    const separator = fc.constantFrom(' ', '. ', '-', '😀', ' & ', '\n');
    const text = fc
      .array(fc.tuple(word, separator), { maxLength: 80 })
      .map((parts) => parts.flat().join(''));
    fc.assert(
      fc.property(text, fc.subarray(['probe', 'pods', 'é', 'σ', '𝒜']), (text, terms) => {
        const quoted = snippet(text, terms);
        const pieces = quoted.replace(/^…|…$/g, '').split(/<mark>(.*?)<\/mark>/);
        pieces.forEach((piece, i) => {
          const words = decodeHTML(piece).split(/[^\p{L}\p{M}\p{N}]+/u);
          const marked = i % 2 === 1;
          if (marked) assert.ok(terms.includes(piece.toLowerCase()), `${piece} is marked`);
          else
            for (const w of words)
              assert.ok(!terms.includes(w.toLowerCase()), `${w} is not marked`);
        });
      }),
    );
  });

  it('escapes the text: the marks are its only markup', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), fc.nat(), (text, pick) => {
        const words = text.split(/[^\p{L}\p{M}\p{N}]+/u).filter((word) => word !== '');
        const terms =
          words.length === 0 ? [] : [(words[pick % words.length] as string).toLowerCase()];
        const quoted = snippet(text, terms);
        assert.doesNotMatch(quoted.replace(/<\/?mark>/g, ''), /[<>"]/);
        const plain = decodeHTML(quoted.replace(/<\/?mark>/g, '')).replace(/^…|…$/g, '');
        assert.ok(text.includes(plain.trimEnd()), `${JSON.stringify(plain)} is a part of the text`);
      }),
    );
  });
});

describe('parseQuery', () => {
  it('takes tag: filters out of the words, quoted or not, in any case', () => {
    assert.deepEqual(parseQuery('graceful tag:ops shutdown TAG:"front matter"'), {
      words: ['graceful', 'shutdown'],
      ignored: [],
      tags: ['ops', 'front matter'],
    });
    assert.deepEqual(parseQuery('tag:k8s'), { words: [], ignored: [], tags: ['k8s'] });
  });

  it('leaves tag: inside a word, or with nothing after it, as words; quotes part words', () => {
    assert.deepEqual(parseQuery('hashtag:x tag: "a phrase"').words, [
      'hashtag',
      'x',
      'tag',
      'a',
      'phrase',
    ]);
  });

  it('searches each word once, and at most ten of them', () => {
    const query = parseQuery('one Two one two three four five six seven eight nine ten eleven one');
    assert.deepEqual(query.words, [
      'one',
      'Two',
      'three',
      'four',
      'five',
      'six',
      'seven',
      'eight',
      'nine',
      'ten',
    ]);
    assert.deepEqual(query.ignored, ['eleven']);
  });
});
