// GPT Bridge for Kommo: the widget's entry point (an AMD module, as Kommo requires). It is kept
// thin on purpose: every callback hands the widget object to the React bundle (app.js, next to
// this file in widget.zip), which does the work. `#API_URL#` is our API's address, written in
// when widget.zip is packed (apps/widget/scripts/pack.mjs).
define(['jquery', './app.js'], function ($, App) {
  var GptBridgeWidget = function () {
    var self = this;
    var options = { apiUrl: '#API_URL#', $: $ };

    this.callbacks = {
      render: function () {
        App.render(self, options);
        return true;
      },
      init: function () {
        App.init(self, options);
        return true;
      },
      bind_actions: function () {
        return true;
      },
      settings: function ($modalBody) {
        App.settings(self, options, $modalBody[0]);
        return true;
      },
      onSave: function (data) {
        return App.onSave(self, options, data);
      },
      destroy: function () {
        App.destroy(self);
      },
      advancedSettings: function () {
        App.advancedSettings(self, options);
        return true;
      },
      salesbotDesignerSettings: function ($body, renderRow, params) {
        return App.salesbotDesignerSettings(self, options, $body[0], renderRow, params);
      },
      onSalesbotDesignerSave: function (handlerCode, params) {
        return App.onSalesbotDesignerSave(self, options, handlerCode, params);
      },
    };
    return this;
  };

  return GptBridgeWidget;
});
