/** @odoo-module **/
// A customer submits a claim from the portal: /my → Claims → form → the new claim's page.

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("aftersales_portal_claim", {
    url: "/my",
    steps: () => [
        {
            content: "Open the claims from the portal home",
            trigger: "a[href='/my/claims']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Submit a new claim",
            trigger: "a.o_aftersales_new_claim",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Choose the serial",
            trigger: "select[name=lot_id]:has(option:contains(PT-A2))",
            run: "selectByLabel PT-A2",
        },
        {
            content: "Say what is wrong",
            trigger: "input[name=summary]",
            run: "edit Drum rattles at 1200 rpm",
        },
        {
            content: "Give details",
            trigger: "textarea[name=description]",
            run: "edit Since the last wash",
        },
        {
            content: "Send it",
            trigger: "button.o_aftersales_submit_claim",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The claim's page shows the serial and the complaint",
            trigger: ".o_aftersales_claim_page:contains(Drum rattles at 1200 rpm) .o_aftersales_serial:contains(PT-A2)",
        },
    ],
});
