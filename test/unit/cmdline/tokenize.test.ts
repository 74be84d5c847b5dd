import { describe, expect, it } from 'vitest';
import { tokenizeCmdline } from '../../../src/cmdline/tokenize.js';

describe('tokenizeCmdline', () => {
  it.each([
    ['spaces and tabs separate', 'root=/dev/dasda1  ro\tquiet\n', ['root=/dev/dasda1', 'ro', 'quiet']],
    ['a quoted value keeps its spaces, quotes removed', 'foo="a b" bar', ['foo=a b', 'bar']],
    ['a quoted parameter', '"a b" c', ['a b', 'c']],
    ['a quote in the middle groups but stays', 'a"b c"d e', ['a"b c"d', 'e']],
    ['an unterminated quote runs to the end', 'x="a b c', ['x=a b c']],
    ['empty', '', []],
    ['only whitespace', ' \t\n ', []],
  ])('%s', (_name, input, expected) => {
    expect(tokenizeCmdline(input)).toEqual(expected);
  });
});
