// embind's invoker for registered functions, without dynamic code.
//
// With -sDYNAMIC_EXECUTION=0 (no eval, so pages with a strict Content-Security-Policy
// work), embind wraps every registered function in one generic closure that copies
// its arguments into arrays, calls through Function.prototype.apply and allocates a
// closure per call: about five times the cost of the code embind would generate with
// eval. This replaces that closure, for the functions the bindings register, with
// fixed-arity ones (at most three arguments, none needing a destructor): the same
// checks and conversions, in the same order, and no allocation per call. Anything
// else gets a general closure with embind's semantics.
mergeInto(LibraryManager.library, {
  $craftInvokerFunction__deps: ['$throwBindingError', '$runDestructors'],
  $craftInvokerFunction: function(humanName, argTypes, classType, cppInvokerFunc, cppTargetFunc) {
    var expected = argTypes.length - 2;
    var isMethod = argTypes[1] !== null && classType !== null;
    var returnType = argTypes[0];
    var returns = returnType.name !== 'void';
    var needsStack = false;
    var needsCleanup = false;
    for (var i = isMethod ? 1 : 2; i < argTypes.length; ++i) {
      var destructor = argTypes[i].destructorFunction;
      if (destructor === undefined) needsStack = true;
      else if (destructor !== null) needsCleanup = true;
    }
    function wrongCount(count) {
      throwBindingError('function ' + humanName + ' called with ' + count + ' arguments, expected ' + expected + ' args!');
    }
    if (!isMethod && !needsStack && !needsCleanup && expected <= 3) {
      var t0 = argTypes[2], t1 = argTypes[3], t2 = argTypes[4];
      switch (expected) {
        case 0:
          return function() {
            if (arguments.length !== 0) wrongCount(arguments.length);
            var rv = cppInvokerFunc(cppTargetFunc);
            if (returns) return returnType['fromWireType'](rv);
          };
        case 1:
          return function(a) {
            if (arguments.length !== 1) wrongCount(arguments.length);
            var rv = cppInvokerFunc(cppTargetFunc, t0['toWireType'](null, a));
            if (returns) return returnType['fromWireType'](rv);
          };
        case 2:
          return function(a, b) {
            if (arguments.length !== 2) wrongCount(arguments.length);
            var rv = cppInvokerFunc(cppTargetFunc, t0['toWireType'](null, a), t1['toWireType'](null, b));
            if (returns) return returnType['fromWireType'](rv);
          };
        default:
          return function(a, b, c) {
            if (arguments.length !== 3) wrongCount(arguments.length);
            var rv = cppInvokerFunc(cppTargetFunc, t0['toWireType'](null, a), t1['toWireType'](null, b),
              t2['toWireType'](null, c));
            if (returns) return returnType['fromWireType'](rv);
          };
      }
    }
    return function() {
      if (arguments.length !== expected) wrongCount(arguments.length);
      var destructors = [];
      var wired = [cppTargetFunc];
      if (isMethod) wired.push(argTypes[1]['toWireType'](destructors, this));
      for (var i = 0; i < expected; ++i) wired.push(argTypes[i + 2]['toWireType'](destructors, arguments[i]));
      var rv = cppInvokerFunc.apply(null, wired);
      if (needsStack) {
        runDestructors(destructors);
      } else {
        for (var j = isMethod ? 1 : 2; j < argTypes.length; ++j) {
          var destructor = argTypes[j].destructorFunction;
          if (destructor !== null) destructor(wired[j - (isMethod ? 0 : 1)]);
        }
      }
      if (returns) return returnType['fromWireType'](rv);
    };
  },
});
