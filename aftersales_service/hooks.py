def post_init_hook(env):
    """Give warehouses that existed before install what new ones get on creation."""
    env["stock.warehouse"].search([])._aftersales_setup_workshop()
