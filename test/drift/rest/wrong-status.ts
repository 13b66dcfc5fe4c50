import { respond, rest, scenario } from 'mockstack';

export default scenario('drift-rest-wrong-status').services({
  shipping: rest({ openapi: 'schemas/shipping-rates.yaml' }, [rest.operation('getRate', respond({ title: 'teapot', status: 418 }, { status: 418 }))]),
});
