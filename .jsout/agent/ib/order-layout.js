// openOrder and completedOrder, read for read as @stoqey/ib's OrderDecoder reads them
// (dist/core/io/decoder.js: decodeMsg_OPEN_ORDER, decodeMsg_COMPLETED_ORDER and the
// OrderDecoder.read* they call, in that order). The two messages share most blocks; a few
// are openOrder's alone.
//
// Where the library and IB's own decoder (EOrderDecoder.java, which is what TWS writes
// for) disagree, the layout follows IB's:
// - faProfile: TWS sends it below server version 177 (FA_PROFILE_DESUPPORT) in both
//   messages. The library tests the *message* version, which for completedOrder is
//   "infinite", so below 177 it never reads faProfile and decodes every later field one
//   place off. The relay reads completedOrder from the wire by this layout instead.
// - modelCode: IB reads it from server version 103 on; the library only when the
//   *message* version is 103 or more. Below 145, where openOrder carries a message version,
//   the two agree only if TWS sends one of 103 or more (see `sends` below).
// - IB also reads exemptCode at server version 51 and a second stock range at 26, far
//   below anything the library negotiates (100-193): left out.
import { block, both, f, fields, group, ifField, sv, svBelow, v, version } from "./layout.js";
const nonEmpty = (t) => t !== '';
// IB's "unset" double, and what the decoder's parseFloat makes of a positive increment.
const UNSET = new Set(['1.7976931348623157E308', '1.7976931348623157e+308']);
const positive = (t) => t !== '' && !UNSET.has(t) && Number.parseFloat(t) > 0;
// The decoder's readBool and count tests: parseInt, with NaN as false.
const truthy = (t) => Boolean(Number.parseInt(t, 10));
const positiveInt = (t) => Number.parseInt(t, 10) > 0;
const pegBench = (t) => t === 'PEG BENCH' || t === 'PEGBENCH';
const is = (n) => (t) => t === n;
const contract = [
    f('con_id', v(17)), ...fields('symbol sec_type last_trade_date strike right'), f('multiplier', v(32)),
    ...fields('exchange currency'), f('local_symbol', v(2)), f('trading_class', v(32)),
];
const faParams = block(v(7), fields('fa_group fa_method fa_percentage'), f('fa_profile', svBelow(177)));
// The order's delta-neutral leg for volatility orders; openOrder carries a few more fields.
function volParams(open) {
    const dn = ifField('delta_neutral_order_type', nonEmpty);
    return block(v(11), fields('volatility volatility_type'), f('delta_neutral_order_type_flag', v(11, 12)), block(v(12), fields('delta_neutral_order_type delta_neutral_aux_price'), block(both(v(27), dn), f('delta_neutral_con_id'), open ? fields('delta_neutral_settling_firm delta_neutral_clearing_account delta_neutral_clearing_intent') : []), block(both(v(31), dn), open ? [f('delta_neutral_open_close')] : [], fields('delta_neutral_short_sale delta_neutral_short_sale_slot delta_neutral_designated_location'))), f('continuous_update'), f('reference_price_type'));
}
const comboLegs = [
    f('combo_legs_description', v(14)),
    block(v(29), group('combo_legs', 'combo_legs_count', fields('con_id ratio action exchange open_close short_sale_slot designated_location exempt_code')), group('order_combo_legs', 'order_combo_legs_count', fields('price'))),
];
const smartComboRouting = group('smart_combo_routing_params', 'smart_combo_routing_params_count', fields('tag value'), v(26));
const scaleParams = [
    block(v(15), block(v(20), fields('scale_init_level_size scale_subs_level_size')), block(v(15, 20), fields('scale_num_components scale_init_level_size')), f('scale_price_increment')),
    block(ifField('scale_price_increment', positive, v(28)), fields('scale_price_adjust_value scale_price_adjust_interval scale_profit_offset scale_auto_reset scale_init_position scale_init_fill_qty scale_random_percent')),
];
const hedge = block(v(24), f('hedge_type'), f('hedge_param', ifField('hedge_type', nonEmpty)));
const deltaNeutralContract = block(v(20), f('delta_neutral_contract'), block(ifField('delta_neutral_contract', truthy), fields('delta_neutral_contract_con_id delta_neutral_contract_delta delta_neutral_contract_price')));
const algo = block(v(21), f('algo_strategy'), group('algo_params', 'algo_params_count', fields('tag value'), ifField('algo_strategy', nonEmpty)));
const pegBenchParams = block(both(sv(102), ifField('order_type', pegBench)), fields('reference_contract_id is_pegged_change_amount_decrease pegged_change_amount reference_change_amount reference_exchange_id'));
// Each condition: its type, its conjunction, then the fields of that type.
const conditions = block(sv(102), group('conditions', 'conditions_count', [
    ...fields('type conjunction'),
    block(ifField('type', is('1')), fields('is_more value con_id exchange trigger_method')), // price
    block(ifField('type', is('3')), fields('is_more value')), // time
    block(ifField('type', is('4')), fields('is_more value')), // margin
    block(ifField('type', is('5')), fields('sec_type exchange symbol')), // execution
    block(ifField('type', is('6')), fields('is_more value con_id exchange')), // volume
    block(ifField('type', is('7')), fields('is_more value con_id exchange')), // percent change
]), block(ifField('conditions_count', positiveInt), fields('conditions_ignore_rth conditions_cancel_order')));
const pegBestPegMid = fields('min_trade_qty min_compete_size compete_against_best_offset mid_offset_at_whole mid_offset_at_half', sv(170));
// The fields both messages share up to the good-after time, then FA and model code.
function head(open) {
    return [
        ...contract,
        ...fields('action total_quantity order_type lmt_price aux_price tif oca_group account open_close origin order_ref'),
        ...(open ? [f('client_id', v(3))] : []),
        ...fields('perm_id outside_rth hidden discretionary_amt', v(4)),
        f('good_after_time', v(5)),
        ...(open ? [f('shares_allocation', v(6))] : []),
        faParams,
        f('model_code', sv(103)),
        f('good_till_date', v(8)),
        ...fields('rule80a percent_offset settling_firm short_sale_slot designated_location', v(9)),
        f('exempt_code', v(23)),
    ];
}
// openOrder: version field below ORDER_CONTAINER (145). TWS's own number for it is not
// public; 34 is the highest any IB decoder tests, so the simulator sends that.
export const OPEN_ORDER = {
    id: 5, event: 'openOrder', decoderName: 'OPEN_ORDER',
    items: [
        version({ below: 145, sends: 34 }),
        f('order_id'),
        ...head(true),
        f('auction_strategy', v(9)),
        ...fields('starting_price stock_ref_price delta stock_range_lower stock_range_upper display_size', v(9)),
        f('rth_only', v(9, 18)),
        ...fields('block_order sweep_to_fill all_or_none min_qty oca_type e_trade_only firm_quote_only nbbo_price_cap', v(9)),
        ...fields('parent_id trigger_method', v(10)),
        volParams(true),
        f('trail_stop_price', v(13)), f('trailing_percent', v(30)),
        ...fields('basis_points basis_points_type', v(14)),
        ...comboLegs, smartComboRouting, ...scaleParams, hedge,
        f('opt_out_smart_routing', v(25)),
        ...fields('clearing_account clearing_intent', v(19)),
        f('not_held', v(22)), deltaNeutralContract, algo, f('solicited', v(33)),
        block(v(16), fields('what_if status'), fields('init_margin_before maint_margin_before equity_with_loan_before init_margin_change maint_margin_change equity_with_loan_change', sv(142)), fields('init_margin_after maint_margin_after equity_with_loan_after commission min_commission max_commission commission_currency warning_text')),
        ...fields('randomize_size randomize_price', v(34)),
        pegBenchParams, conditions,
        // The stop price is sent twice (with the trail parameters and here); both are the same order field.
        ...fields('adjusted_order_type trigger_price trail_stop_price lmt_price_offset adjusted_stop_price adjusted_stop_limit_price adjusted_trailing_amount adjustable_trailing_unit', sv(102)),
        ...fields('soft_dollar_tier_name soft_dollar_tier_value soft_dollar_tier_display_name', sv(106)),
        f('cash_qty', sv(111)), f('dont_use_auto_price_for_hedge', sv(141)), f('is_oms_container', sv(145)),
        f('discretionary_up_to_limit_price', sv(148)), f('use_price_mgmt_algo', sv(151)), f('duration', sv(158)),
        f('post_to_ats', sv(160)), f('auto_cancel_parent', sv(162)), ...pegBestPegMid,
        f('customer_account', sv(183)), f('professional_customer', sv(184)), f('bond_accrued_interest', sv(185)),
        f('include_overnight', sv(189)), ...fields('ext_operator manual_order_indicator', sv(193)),
    ],
};
// completedOrder: no order id and no version field (the decoder assumes every
// version-gated field present); available from server version 150 (REQ_COMPLETED_ORDERS).
export const COMPLETED_ORDER = {
    id: 101, event: 'completedOrder', decoderName: 'COMPLETED_ORDER',
    items: [
        version({ below: 0, implied: Number.MAX_SAFE_INTEGER, sends: 0 }),
        ...head(false),
        ...fields('starting_price stock_ref_price delta stock_range_lower stock_range_upper display_size sweep_to_fill all_or_none min_qty oca_type trigger_method'),
        volParams(false),
        ...fields('trail_stop_price trailing_percent'),
        ...comboLegs, smartComboRouting, ...scaleParams, hedge,
        ...fields('clearing_account clearing_intent not_held'), deltaNeutralContract, algo,
        ...fields('solicited status randomize_size randomize_price'),
        pegBenchParams, conditions,
        ...fields('trail_stop_price lmt_price_offset'),
        f('cash_qty', sv(111)), f('dont_use_auto_price_for_hedge', sv(141)), f('is_oms_container', sv(145)),
        ...fields('auto_cancel_date filled_quantity ref_futures_con_id auto_cancel_parent shareholder imbalance_only route_marketable_to_bbo parent_perm_id completed_time completed_status'),
        ...pegBestPegMid,
        f('customer_account', sv(183)), f('professional_customer', sv(184)),
    ],
};
