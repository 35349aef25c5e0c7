/** @odoo-module **/
// The daily work of each role, clicked through the web client (see tests/test_tours.py).
import { registry } from "@web/core/registry";

const tours = registry.category("web_tour.tours");

// Front desk: from the serial's form to a claim in diagnosis with its service order.
tours.add("aftersales_front_desk_tour", {
    steps: () => [
        {
            content: "New Claim is a header button of the serial's form",
            trigger: ".o_form_view .o_form_statusbar button:contains('New Claim')",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=summary] input",
            run: "edit Pump is noisy at start",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_start_diagnosis]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Diagnosis')",
        },
        {
            trigger: ".o_form_view button[name=action_open_new_repair]",
            run: "click",
        },
        {
            content: "The service order of the claim opens",
            trigger: ".o_form_view .o_field_widget[name=aftersales_claim_id] a, .o_form_view .o_field_widget[name=aftersales_claim_id] input",
        },
    ],
});

// Technician: labor on their order, then confirm, start and end the repair.
tours.add("aftersales_technician_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_notebook a[name=aftersales_labor]",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=aftersales_labor_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=aftersales_labor_ids] .o_data_row .o_field_widget[name=product_id] input",
            run: "edit Tour Bench Hour",
        },
        {
            trigger: ".ui-autocomplete .dropdown-item:contains('Tour Bench Hour')",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_validate]",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_repair_start]",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_repair_end]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Repaired')",
        },
    ],
});

// Accountant (Billing group only): an order's costs, then its warranty entry's items.
tours.add("aftersales_accountant_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_field_widget[name=aftersales_cost_total]",
        },
        {
            trigger: ".o_form_view button[name=action_aftersales_view_warranty_move]",
            run: "click",
        },
        {
            content: "The entry's journal items are listed",
            trigger: ".o_list_view .o_data_row",
        },
    ],
});

// Warehouse: validate the issue transfer of a service order's parts.
tours.add("aftersales_warehouse_tour", {
    steps: () => [
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]",
            run: "click",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains('Done')",
        },
    ],
});
