import { fault, graphql, type Overlay, type ServiceOf } from 'mockstack';
import { type Cart, type CheckoutState, type Product, placeOrder } from './state.js';

const money = (cents: number) => ({ amountCents: cents, currency: 'EUR', formatted: `€${(cents / 100).toFixed(2)}` });

const categoryView = (name: string, state: CheckoutState) => ({
  __typename: 'Category',
  id: `cat_${name}`,
  name: name[0]?.toUpperCase() + name.slice(1),
  slug: name,
  productCount: [...state.products.values()].filter((p) => p.category === name).length,
});

/** A product as the schema shows it. Stock comes from Product.stock below; description, images, rating… are auto-mocked. */
function productView(product: Product, state: CheckoutState) {
  // "Organic Cotton T-Shirt, Black, M" → a variant with color Black and size M.
  const [, color, size] = product.name.split(', ');
  return {
    __typename: 'Product',
    id: product.sku,
    sku: product.sku,
    name: product.name,
    category: categoryView(product.category, state),
    price: money(product.priceCents),
    variants: [
      {
        sku: product.sku,
        name: product.name,
        color: color ?? null,
        size: size ?? null,
        price: money(product.priceCents),
        stock: state.stock.get(product.sku) ?? 0,
      },
    ],
  };
}

function cartView(cart: Cart, state: CheckoutState) {
  const lines = cart.lines.map((line) => {
    const product = state.products.get(line.sku);
    return {
      sku: line.sku,
      quantity: line.quantity,
      product: product && productView(product, state),
      lineTotal: money(line.quantity * (product?.priceCents ?? 0)),
    };
  });
  return {
    id: cart.id,
    lines,
    itemCount: cart.lines.reduce((n, l) => n + l.quantity, 0),
    total: money(lines.reduce((sum, l) => sum + l.lineTotal.amountCents, 0)),
    updatedAt: cart.updatedAt,
  };
}

/** The catalog GraphQL service: products, variants, prices, live stock (shared with orders), search and a cart. */
export const catalog: ServiceOf<CheckoutState> = graphql(
  { port: 8082, schema: 'schemas/catalog.graphql' },
  {
    Query: {
      product: (_, { sku }, { state }) => {
        const product = state.products.get(String(sku));
        return product ? productView(product, state) : null;
      },
      products: (_, { category, first, after }, { state }) => {
        const all = [...state.products.values()].filter((p) => !category || p.category === category);
        const start = after ? all.findIndex((p) => p.sku === after) + 1 : 0;
        const page = all.slice(start, start + Math.max(0, first ?? 10));
        return {
          edges: page.map((p) => ({ cursor: p.sku, node: productView(p, state) })),
          pageInfo: { hasNextPage: start + page.length < all.length, endCursor: page.at(-1)?.sku ?? null },
          totalCount: all.length,
        };
      },
      search: (_, { text, limit }, { state }) => {
        const needle = text.toLowerCase();
        const products = [...state.products.values()].filter((p) => p.name.toLowerCase().includes(needle)).map((p) => productView(p, state));
        const categories = [...new Set([...state.products.values()].map((p) => p.category))]
          .filter((c) => c.includes(needle))
          .map((c) => categoryView(c, state));
        return [...categories, ...products].slice(0, limit ?? 5);
      },
      categories: (_, _args, { state }) => [...new Set([...state.products.values()].map((p) => p.category))].map((c) => categoryView(c, state)),
      cart: (_, { id }, { state }) => {
        const cart = state.carts.get(String(id));
        return cart ? cartView(cart, state) : null;
      },
    },
    Product: {
      stock: (product, _args, { state }) => state.stock.get(product.sku ?? '') ?? 0,
      inStock: (product, _args, { state }) => (state.stock.get(product.sku ?? '') ?? 0) > 0,
    },
    Mutation: {
      addToCart: (_, { cartId, sku, quantity }, { state }) => {
        if (!state.products.has(sku)) return fault.invalidArgument(`unknown SKU ${sku}`, { details: { field: 'sku' } });
        if (quantity < 1) return fault.invalidArgument('quantity must be 1 or more', { details: { field: 'quantity' } });
        const cart = (cartId && state.carts.get(cartId)) || { id: cartId ?? `cart_${state.carts.size + 1}`, lines: [], updatedAt: '' };
        const line = cart.lines.find((l) => l.sku === sku);
        const available = state.stock.get(sku) ?? 0;
        if ((line?.quantity ?? 0) + quantity > available) {
          return fault.failedPrecondition(`only ${available} of ${sku} in stock`, { details: { sku, available } });
        }
        if (line) line.quantity += quantity;
        else cart.lines.push({ sku, quantity });
        cart.updatedAt = new Date().toISOString();
        state.carts.set(cart.id, cart);
        return cartView(cart, state);
      },
      removeFromCart: (_, { cartId, sku }, { state }) => {
        const cart = state.carts.get(String(cartId));
        if (!cart) return fault.notFound(`cart ${cartId} does not exist`);
        cart.lines = cart.lines.filter((l) => l.sku !== sku);
        cart.updatedAt = new Date().toISOString();
        return cartView(cart, state);
      },
      placeOrder: (_, { cartId, customerId }, { state, publish }) => {
        const cart = state.carts.get(cartId);
        if (!cart) return fault.notFound(`cart ${cartId} does not exist`);
        if (cart.lines.length === 0) return fault.failedPrecondition(`cart ${cartId} is empty`);
        const short = cart.lines.find((l) => (state.stock.get(l.sku) ?? 0) < l.quantity);
        if (short) return fault.failedPrecondition(`only ${state.stock.get(short.sku) ?? 0} of ${short.sku} in stock`, { details: { sku: short.sku } });
        const order = placeOrder(state, customerId, cart.lines, publish);
        state.carts.delete(cartId);
        return {
          id: order.id,
          customerId: order.customerId,
          status: order.status,
          createdAt: order.createdAt,
          total: money(order.totalCents),
          lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitPrice: money(l.unitPriceCents) })),
        };
      },
    },
  },
  [
    // Live stock over WebSocket (graphql-ws) or SSE: the current level, then every change placeOrder publishes.
    graphql.subscription('stockChanged', ({ args, state }) => {
      const levels = [...state.stock].filter(([sku]) => !args.sku || sku === args.sku).map(([sku, stock]) => ({ sku, stock, inStock: stock > 0 }));
      return graphql.stream(levels, { open: true, accept: (level) => !args.sku || level.sku === args.sku });
    }),
    // A fixed cart for screenshots and demos, whatever the state. GetCart is the storefront's operation in
    // schemas/catalog.operations.graphql: its variables and answer are typed from it (`mockstack gen`).
    graphql.query('GetCart', { match: { variables: { id: 'demo' } } }, ({ state, variables }) => ({
      cart: cartView({ id: variables.id, lines: [{ sku: 'SKU-MUG-WHT', quantity: 2 }], updatedAt: '2026-11-01T10:00:00.000Z' }, state),
    })),
  ],
);

/** Variants for the catalog, to spread into the scenario's `.variants({ … })`. */
export const catalogVariants: Record<string, Record<string, Overlay<CheckoutState>>> = {
  'catalog-down': { catalog: fault.unavailable('catalog is down for maintenance', { retryAfter: 30 }) },
  'catalog-slow': { catalog: { delay: '800ms' } },
  'catalog-logged-out': { catalog: [graphql.mutation('AddToCart', fault.unauthenticated('log in to add to your cart'))] },
};
