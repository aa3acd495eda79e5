/**
 * `/search?q=…&page=…` (pages/search-page.ts) and `/opensearch.xml`. A search that cannot be
 * answered (too long, control characters, a bad page number) is a 400 with the search page
 * saying why, or JSON when asked; the query itself is never shown back then.
 */
import type { FastifyInstance } from 'fastify';
import { parsePageNumber } from '../../content/site/pagination.ts';
import { prefersJson, sendError } from '../errors.ts';
import type { PageStore } from '../page-store.ts';
import type { SearchRequest } from '../pages/search-page.ts';
import { OPENSEARCH_PATH, SEARCH_PATH } from '../paths.ts';
import { notFound, sendPage, servePage } from '../send-page.ts';

const MAX_QUERY_CHARACTERS = 200;
const CONTROL_CHARACTER = /\p{Cc}/u;

type SearchQuerystring = { Querystring: { q?: string | string[]; page?: string | string[] } };

function searchRequest({ q = '', page = '1' }: SearchQuerystring['Querystring']): SearchRequest {
  if (typeof q !== 'string' || typeof page !== 'string')
    return { problem: 'Search for one thing at a time: the address has more than one q or page.' };
  if ([...q].length > MAX_QUERY_CHARACTERS)
    return { problem: `A search can be at most ${MAX_QUERY_CHARACTERS} characters long.` };
  if (CONTROL_CHARACTER.test(q))
    return { problem: 'A search cannot contain control characters such as tabs or line breaks.' };
  const number = parsePageNumber(page);
  if (number === undefined) return { problem: 'The page number must be a whole number from 1.' };
  return { query: q, page: number };
}

export default async function search(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  fastify.get<SearchQuerystring>(SEARCH_PATH, async (request, reply) => {
    const wanted = searchRequest(request.query);
    if ('problem' in wanted && prefersJson(request.headers.accept))
      return sendError(request, reply, 400, wanted.problem);
    const page = await store.search(wanted);
    if (!page) return notFound(reply);
    if ('problem' in wanted)
      return reply
        .code(400)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(page.body);
    return sendPage(store, request, reply, page);
  });

  fastify.get(OPENSEARCH_PATH, (request, reply) =>
    servePage(store, request, reply, { kind: 'opensearch' }),
  );
}
