/** Where the service finds what it calls: in production real services, in tests mockstack's mocks. */
export interface Dependencies {
  /** The catalog's GraphQL endpoint. */
  catalogUrl: string;
  /** The payment provider's REST base URL. */
  paymentsUrl: string;
}

/** The service under test: prices a cart line from the catalog (GraphQL) and charges it (REST). */
export async function checkout(dependencies: Dependencies, sku: string, quantity: number): Promise<{ paymentId: string; total: number }> {
  const priced = await fetch(dependencies.catalogUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'query Price($sku: ID!) { product(sku: $sku) { price } }', variables: { sku } }),
  });
  const { data } = (await priced.json()) as { data?: { product?: { price: number } | null } };
  if (!data?.product) throw new Error(`unknown product ${sku}`);
  const total = data.product.price * quantity;
  const paid = await fetch(`${dependencies.paymentsUrl}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ amount: total }),
  });
  if (paid.status !== 201) throw new Error(`payment failed: ${paid.status}`);
  const { id } = (await paid.json()) as { id: string };
  return { paymentId: id, total };
}
