from .report import aftersales_defect_stat


def post_init_hook(env):
    """Give warehouses that existed before install what new ones get on creation."""
    env["stock.warehouse"].with_context(active_test=False).search([])._aftersales_setup_workshop()
    # Serials that existed before install get their public check token (stock_lot_public.py).
    env["stock.lot"]._aftersales_fill_public_tokens()


def uninstall_hook(env):
    """Drop the defect statistics table and its trigger function (report/aftersales_defect_stat)."""
    aftersales_defect_stat.uninstall(env.cr)
