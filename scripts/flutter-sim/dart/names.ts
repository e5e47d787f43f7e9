/**
 * The names each library makes visible, for the simulated analyzer's undefined-name check.
 * Not complete: the commonly used public API of the Dart SDK, Flutter and a few popular
 * packages. A library missing here is not checked (see `libraryNames`), so an unknown
 * package never produces false errors; a name missing from a listed library would, so the
 * lists lean generous.
 */
const words = (text: string) => text.split(/\s+/).filter(Boolean);

const CORE = words(`
  int double num String bool List Map Set Iterable Iterator Future Stream Duration DateTime
  Object dynamic Null Never Function Type Symbol Record Enum Comparable Pattern Match RegExp
  RegExpMatch Runes StringBuffer StringSink Sink Uri UriData BigInt MapEntry Invocation
  StackTrace Stopwatch Exception Error StateError ArgumentError RangeError IndexError
  FormatException UnsupportedError UnimplementedError AssertionError TypeError
  ConcurrentModificationError OutOfMemoryError NoSuchMethodError IntegerDivisionByZeroException
  Expando WeakReference Finalizer BidirectionalIterator Deprecated Object print identical
  identityHashCode override deprecated pragma
`);

const ASYNC = words(`
  Future Stream FutureOr Completer Timer StreamController StreamSubscription StreamTransformer
  StreamSink EventSink Zone ZoneSpecification runZoned runZonedGuarded scheduleMicrotask
  unawaited TimeoutException AsyncError StreamView StreamIterator MultiStreamController
`);

const CONVERT = words(`
  json jsonEncode jsonDecode JsonEncoder JsonDecoder JsonCodec utf8 Utf8Encoder Utf8Decoder
  Utf8Codec ascii latin1 base64 base64Url base64Encode base64Decode base64UrlEncode Base64Codec
  Encoding Codec Converter LineSplitter HtmlEscape htmlEscape
`);

const MATH = words(`
  Random Point Rectangle MutableRectangle pi e ln2 ln10 log2e log10e sqrt1_2 sqrt2 sqrt pow
  min max sin cos tan asin acos atan atan2 exp log
`);

const IO = words(`
  File Directory Link Platform Process ProcessResult HttpClient HttpServer HttpRequest
  HttpHeaders HttpStatus HttpException SocketException FileSystemException InternetAddress
  IOSink FileMode FileSystemEntity stdout stderr stdin exit sleep
`);

const COLLECTION = words(`
  HashMap HashSet LinkedHashMap LinkedHashSet Queue ListQueue DoubleLinkedQueue SplayTreeMap
  SplayTreeSet UnmodifiableListView UnmodifiableMapView UnmodifiableSetView ListBase MapBase
  SetBase IterableBase ListMixin MapMixin SetMixin LinkedList LinkedListEntry
`);

const TYPED_DATA = words(`
  Uint8List Uint16List Uint32List Uint64List Int8List Int16List Int32List Int64List
  Float32List Float64List ByteData ByteBuffer Endian Uint8ClampedList
`);

const UI = words(`
  Color Offset Size Rect RRect Radius Canvas Paint Path PaintingStyle StrokeCap StrokeJoin
  BlendMode Clip FilterQuality FontWeight FontStyle FontFeature TextAlign TextBaseline
  TextDecoration TextDecorationStyle TextDirection TextAffinity TextPosition TextRange Locale
  Brightness Shadow Image ImageFilter ColorFilter MaskFilter BlurStyle Shader Vertices
  PointMode TileMode PathFillType AppLifecycleState PlatformDispatcher FlutterView
  PointerDeviceKind VoidCallback lerpDouble window Picture PictureRecorder Scene
`);

const FOUNDATION = words(`
  Key ValueKey ObjectKey UniqueKey LocalKey kDebugMode kReleaseMode kProfileMode kIsWeb
  debugPrint ChangeNotifier ValueNotifier Listenable ValueListenable VoidCallback
  ValueChanged ValueGetter ValueSetter AsyncCallback AsyncValueGetter AsyncValueSetter
  immutable required protected mustCallSuper visibleForTesting optionalTypeArgs
  describeEnum describeIdentity objectRuntimeType compute defaultTargetPlatform TargetPlatform
  FlutterError FlutterErrorDetails DiagnosticsNode DiagnosticPropertiesBuilder Diagnosticable
  DiagnosticableTree StringProperty IntProperty DoubleProperty ErrorDescription ErrorSummary
  listEquals mapEquals setEquals SynchronousFuture BindingBase Factory precisionErrorTolerance
  Uint8List
`);

const PAINTING = words(`
  EdgeInsets EdgeInsetsGeometry EdgeInsetsDirectional Alignment AlignmentGeometry
  AlignmentDirectional BorderRadius BorderRadiusGeometry BorderRadiusDirectional Border
  BorderSide BorderStyle BoxBorder BoxDecoration BoxShadow BoxShape BoxFit Decoration
  DecorationImage ShapeDecoration ShapeBorder OutlinedBorder RoundedRectangleBorder
  CircleBorder StadiumBorder BeveledRectangleBorder ContinuousRectangleBorder
  LinearGradient RadialGradient SweepGradient Gradient TextStyle TextSpan InlineSpan
  TextPainter TextHeightBehavior TextOverflow TextWidthBasis StrutStyle ImageProvider
  AssetImage NetworkImage FileImage MemoryImage ExactAssetImage ResizeImage ImageConfiguration
  ImageRepeat ColorSwatch HSLColor HSVColor FractionalOffset Axis AxisDirection
  VerticalDirection Matrix4 Vector3 MatrixUtils paintImage PaintingBinding
  imageCache FlutterLogoStyle
`);

const ANIMATION_GESTURES_SCHEDULER = words(`
  Animation AnimationController AnimationStatus Animatable Tween ColorTween IntTween
  SizeTween RectTween AlignmentTween CurveTween TweenSequence TweenSequenceItem Curve Curves
  CurvedAnimation Interval Cubic ReverseAnimation AlwaysStoppedAnimation ProxyAnimation
  GestureTapCallback GestureTapDownCallback GestureTapUpCallback GestureLongPressCallback
  GestureDragUpdateCallback GestureDragEndCallback GestureDragStartCallback TapDownDetails
  TapUpDetails DragUpdateDetails DragEndDetails DragStartDetails LongPressStartDetails
  ScaleUpdateDetails ScaleStartDetails ScaleEndDetails PointerEvent PointerDownEvent
  PointerUpEvent PointerMoveEvent HitTestBehavior Velocity DragStartBehavior
  TickerProvider Ticker SchedulerBinding SchedulerPhase timeDilation
`);

const SERVICES = words(`
  SystemChrome SystemUiOverlayStyle SystemUiMode SystemNavigator SystemSound SystemSoundType
  Clipboard ClipboardData HapticFeedback TextInputType TextInputAction TextInputFormatter
  FilteringTextInputFormatter LengthLimitingTextInputFormatter TextEditingValue
  TextCapitalization TextSelection MethodChannel EventChannel PlatformException
  MissingPluginException DeviceOrientation LogicalKeyboardKey PhysicalKeyboardKey KeyEvent
  KeyDownEvent KeyUpEvent RawKeyEvent AutofillHints rootBundle AssetBundle ServicesBinding
  MaxLengthEnforcement SmartDashesType SmartQuotesType Brightness
`);

const RENDERING = words(`
  RenderBox RenderObject BoxConstraints Constraints MainAxisAlignment CrossAxisAlignment
  MainAxisSize WrapAlignment WrapCrossAlignment FlexFit StackFit Overflow TableCellVerticalAlignment
  FlowDelegate CustomClipper CustomPainter SliverGridDelegate
  SliverGridDelegateWithFixedCrossAxisCount SliverGridDelegateWithMaxCrossAxisExtent
  ScrollDirection RelativeRect FlexColumnWidth FixedColumnWidth IntrinsicColumnWidth
  TableColumnWidth BoxHitTestResult RenderObjectWidget SemanticsProperties
  MouseCursor SystemMouseCursors
`);

const WIDGETS = words(`
  Widget StatelessWidget StatefulWidget State BuildContext InheritedWidget InheritedNotifier
  InheritedModel GlobalKey LabeledGlobalKey GlobalObjectKey runApp WidgetsApp WidgetsBinding
  WidgetsFlutterBinding WidgetsBindingObserver Element StatelessElement StatefulElement
  setState widget context mounted initState dispose didChangeDependencies didUpdateWidget
  deactivate reassemble build debugFillProperties
  Container Padding Center Align Row Column Flex Stack Positioned PositionedDirectional
  Expanded Flexible Spacer SizedBox ConstrainedBox LimitedBox FittedBox FractionallySizedBox
  AspectRatio IntrinsicHeight IntrinsicWidth Baseline Offstage OverflowBox Wrap Flow Table
  TableRow TableCell Text RichText DefaultTextStyle Icon IconData IconTheme IconThemeData
  Image Placeholder Opacity Transform RotatedBox ClipRect ClipRRect ClipOval ClipPath
  DecoratedBox ColoredBox CustomPaint CustomSingleChildLayout CustomMultiChildLayout
  LayoutBuilder Builder StatefulBuilder OrientationBuilder MediaQuery MediaQueryData
  Orientation SafeArea ListView GridView PageView PageController SingleChildScrollView
  CustomScrollView ScrollController ScrollPhysics BouncingScrollPhysics ClampingScrollPhysics
  NeverScrollableScrollPhysics AlwaysScrollableScrollPhysics ScrollNotification
  NotificationListener Scrollable Scrollbar RawScrollbar ReorderableListView
  ListWheelScrollView SliverList SliverGrid SliverToBoxAdapter SliverPadding
  SliverFillRemaining SliverChildBuilderDelegate SliverChildListDelegate SliverFixedExtentList
  NestedScrollView GestureDetector InkWell RawGestureDetector Listener MouseRegion
  AbsorbPointer IgnorePointer Draggable DragTarget LongPressDraggable Dismissible
  DismissDirection Focus FocusNode FocusScope FocusScopeNode FocusManager EditableText
  TextEditingController Form FormState FormField FormFieldState AutovalidateMode Navigator
  NavigatorState Route PageRoute ModalRoute RouteSettings PageRouteBuilder PopScope WillPopScope
  Hero AnimatedBuilder AnimatedWidget AnimatedContainer AnimatedOpacity AnimatedPadding
  AnimatedAlign AnimatedPositioned AnimatedSwitcher AnimatedCrossFade CrossFadeState
  AnimatedDefaultTextStyle AnimatedSize AnimatedList AnimatedListState AnimatedRotation
  AnimatedScale AnimatedSlide TweenAnimationBuilder FadeTransition ScaleTransition
  SlideTransition RotationTransition SizeTransition PositionedTransition
  SingleTickerProviderStateMixin TickerProviderStateMixin AutomaticKeepAliveClientMixin
  FutureBuilder StreamBuilder AsyncSnapshot ConnectionState ValueListenableBuilder
  ListenableBuilder Visibility Semantics ExcludeSemantics MergeSemantics Title Directionality
  Localizations Shortcuts Actions Intent Action CallbackAction SingleActivator Overlay
  OverlayEntry OverlayState KeyedSubtree RepaintBoundary SliverAppBarDelegate Banner
  BannerLocation SafeArea UniqueWidget ErrorWidget PreferredSizeWidget PreferredSize
  DefaultAssetBundle WidgetBuilder IndexedWidgetBuilder TransitionBuilder AppLifecycleListener
  InteractiveViewer Viewport ScrollConfiguration GlowingOverscrollIndicator
  ColorFiltered BackdropFilter ShaderMask Material Color Colors
`);

const MATERIAL = words(`
  MaterialApp Scaffold ScaffoldState ScaffoldMessenger ScaffoldMessengerState AppBar
  SliverAppBar BottomAppBar BottomNavigationBar BottomNavigationBarItem
  BottomNavigationBarType NavigationBar NavigationDestination NavigationRail
  NavigationRailDestination Drawer DrawerHeader UserAccountsDrawerHeader EndDrawerButton
  DrawerButton FloatingActionButton FloatingActionButtonLocation ElevatedButton TextButton
  OutlinedButton FilledButton IconButton BackButton CloseButton ButtonStyle ButtonStyleButton
  ButtonBar OverflowBar ToggleButtons SegmentedButton ButtonSegment MaterialButton
  RawMaterialButton DropdownButton DropdownButtonFormField DropdownMenuItem DropdownMenu
  DropdownMenuEntry PopupMenuButton PopupMenuItem PopupMenuDivider PopupMenuEntry MenuAnchor
  MenuItemButton Card ListTile ListTileControlAffinity ExpansionTile CheckboxListTile
  SwitchListTile RadioListTile Checkbox Switch Radio Slider RangeSlider RangeValues TextField
  TextFormField InputDecoration InputBorder OutlineInputBorder UnderlineInputBorder
  FloatingLabelBehavior Chip ActionChip ChoiceChip FilterChip InputChip CircleAvatar Divider
  VerticalDivider Tooltip SnackBar SnackBarAction SnackBarBehavior AlertDialog SimpleDialog
  SimpleDialogOption Dialog showDialog showModalBottomSheet showBottomSheet BottomSheet
  showDatePicker showTimePicker showSearch showAboutDialog showLicensePage
  showGeneralDialog DatePickerDialog TimeOfDay DateTimeRange showDateRangePicker
  CircularProgressIndicator LinearProgressIndicator RefreshIndicator Badge Banner
  MaterialBanner TabBar TabBarView Tab TabController DefaultTabController Stepper Step
  StepState DataTable DataColumn DataRow DataCell PaginatedDataTable Ink InkResponse
  InkDecoration Icons Colors MaterialColor MaterialAccentColor Theme ThemeData ThemeMode
  ColorScheme TextTheme Typography AppBarTheme ElevatedButtonThemeData TextButtonThemeData
  OutlinedButtonThemeData FilledButtonThemeData IconButtonThemeData CardTheme CardThemeData
  InputDecorationTheme FloatingActionButtonThemeData BottomNavigationBarThemeData
  NavigationBarThemeData ChipThemeData DialogTheme DialogThemeData SnackBarThemeData
  ListTileThemeData DividerThemeData CheckboxThemeData SwitchThemeData TabBarTheme
  TabBarThemeData TooltipThemeData MaterialStateProperty MaterialState WidgetStateProperty
  WidgetState WidgetStatePropertyAll WidgetStateColor MaterialStatePropertyAll
  MaterialPageRoute MaterialLocalizations MaterialTapTargetSize VisualDensity
  SearchBar SearchAnchor SearchController SearchDelegate Autocomplete
  SelectableText SelectionArea Feedback Scrollbar ReorderableListView ExpansionPanel
  ExpansionPanelList ListTileStyle kToolbarHeight kBottomNavigationBarHeight
  kThemeAnimationDuration FlutterLogo GridTile GridTileBar CheckedPopupMenuItem
  Elevation BoxShadow useMaterial3 AdaptiveTextSelectionToolbar ScrollBehavior
  MaterialScrollBehavior Shadow Brightness ThemeExtension IconButtonTheme
`);

const CUPERTINO = words(`
  CupertinoApp CupertinoPageScaffold CupertinoNavigationBar CupertinoSliverNavigationBar
  CupertinoTabScaffold CupertinoTabBar CupertinoTabView CupertinoButton CupertinoSwitch
  CupertinoSlider CupertinoTextField CupertinoActivityIndicator CupertinoAlertDialog
  CupertinoDialogAction CupertinoActionSheet CupertinoActionSheetAction CupertinoPicker
  CupertinoDatePicker CupertinoDatePickerMode CupertinoTimerPicker CupertinoSegmentedControl
  CupertinoSlidingSegmentedControl CupertinoListSection CupertinoListTile CupertinoIcons
  CupertinoColors CupertinoTheme CupertinoThemeData CupertinoPageRoute CupertinoContextMenu
  CupertinoContextMenuAction CupertinoSearchTextField CupertinoScrollbar
  CupertinoFormSection CupertinoTextFormFieldRow CupertinoDynamicColor
  showCupertinoDialog showCupertinoModalPopup CupertinoTextThemeData
`);

const FLUTTER_TEST = words(`
  testWidgets expect expectLater find WidgetTester Finder CommonFinders findsOneWidget
  findsNothing findsWidgets findsNWidgets findsAtLeastNWidgets group test setUp tearDown
  setUpAll tearDownAll equals isTrue isFalse isNull isNotNull contains hasLength isEmpty
  isNotEmpty isA throwsA throwsException throwsStateError throwsArgumentError
  matchesGoldenFile TestWidgetsFlutterBinding Matcher same greaterThan lessThan closeTo
`);

/** Flutter's own libraries, as `package:flutter/<lib>.dart` export them (approximately). */
const BASE = [...FOUNDATION, ...UI, ...PAINTING, ...ANIMATION_GESTURES_SCHEDULER];
const WIDGETS_ALL = [...BASE, ...SERVICES, ...RENDERING, ...WIDGETS];
const FLUTTER: Record<string, string[]> = {
  'foundation.dart': FOUNDATION,
  'painting.dart': BASE,
  'animation.dart': BASE,
  'gestures.dart': BASE,
  'scheduler.dart': BASE,
  'services.dart': [...BASE, ...SERVICES],
  'rendering.dart': [...BASE, ...RENDERING],
  'widgets.dart': WIDGETS_ALL,
  'material.dart': [...WIDGETS_ALL, ...MATERIAL],
  'cupertino.dart': [...WIDGETS_ALL, ...CUPERTINO],
};

/** Names of packages' main libraries, for the packages the simulated pub knows. */
const PACKAGES: Record<string, string[]> = {
  'flutter_test/flutter_test.dart': [...FLUTTER_TEST, ...WIDGETS_ALL],
  'provider/provider.dart': words(`
    Provider ChangeNotifierProvider ListenableProvider ValueListenableProvider FutureProvider
    StreamProvider ProxyProvider ChangeNotifierProxyProvider MultiProvider Consumer Consumer2
    Consumer3 Selector Selector2 ProviderNotFoundException ReadContext WatchContext
    SelectContext`),
  'http/http.dart': words(`
    get post put patch delete head read readBytes Client BaseClient Request Response
    StreamedRequest StreamedResponse MultipartRequest MultipartFile BaseRequest BaseResponse
    ClientException ByteStream`),
  'shared_preferences/shared_preferences.dart': words(`
    SharedPreferences SharedPreferencesAsync SharedPreferencesWithCache
    SharedPreferencesWithCacheOptions`),
  'intl/intl.dart': words(
    'DateFormat NumberFormat Intl Bidi BidiFormatter toBeginningOfSentenceCase',
  ),
  'go_router/go_router.dart': words(`
    GoRouter GoRoute GoRouterState ShellRoute StatefulShellRoute StatefulShellBranch
    StatefulNavigationShell GoRouterHelper GoRouterRedirect RouteBase NoTransitionPage
    CustomTransitionPage`),
  'url_launcher/url_launcher.dart': words(
    'launchUrl canLaunchUrl closeInAppWebView LaunchMode WebViewConfiguration',
  ),
  'uuid/uuid.dart': words('Uuid UuidValue'),
  'google_fonts/google_fonts.dart': words('GoogleFonts'),
  'collection/collection.dart': words(`
    ListEquality MapEquality SetEquality DeepCollectionEquality IterableEquality
    UnorderedIterableEquality groupBy lowerBound binarySearch mergeSort insertionSort
    PriorityQueue HeapPriorityQueue CanonicalizedMap QueueList IterableExtension
    ListExtensions`),
  'path/path.dart': words(`
    join joinAll basename basenameWithoutExtension dirname extension normalize relative
    absolute split isAbsolute isRelative separator context Context Style url posix windows`),
  'flutter_riverpod/flutter_riverpod.dart': words(`
    ProviderScope ProviderContainer UncontrolledProviderScope ConsumerWidget
    ConsumerStatefulWidget ConsumerState Consumer WidgetRef Ref Provider StateProvider
    StateNotifierProvider StateNotifier FutureProvider StreamProvider ChangeNotifierProvider
    NotifierProvider Notifier AsyncNotifierProvider AsyncNotifier AsyncValue AsyncData
    AsyncLoading AsyncError ProviderListenable ProviderObserver`),
  'equatable/equatable.dart': words('Equatable EquatableMixin EquatableConfig'),
};

const DART: Record<string, string[]> = {
  async: ASYNC,
  convert: CONVERT,
  math: MATH,
  io: IO,
  collection: COLLECTION,
  typed_data: TYPED_DATA,
  ui: UI,
  core: CORE,
  developer: words('log debugger inspect Timeline TimelineTask'),
};

/** What every Dart library sees without importing anything. */
export const CORE_NAMES: ReadonlySet<string> = new Set(CORE);

/** Libraries the simulated SDK has: `dart:x` URIs that exist. */
export const dartLibraries = (): string[] => Object.keys(DART);

/**
 * The names a `dart:` or `package:` URI brings in: a set, or `undefined` when the library is
 * not catalogued here (then the analyzer cannot tell what it defines and checks no names).
 */
export function libraryNames(uri: string): ReadonlySet<string> | undefined {
  if (uri.startsWith('dart:')) {
    const names = DART[uri.slice(5)];
    return names && new Set(names);
  }
  const path = uri.replace(/^package:/, '');
  if (path.startsWith('flutter/')) {
    const names = FLUTTER[path.slice('flutter/'.length)];
    return names && new Set(names);
  }
  const names = PACKAGES[path];
  return names && new Set(names);
}

/** Built-in identifiers and contextual keywords: words that can appear but never need a declaration. */
export const CONTEXTUAL = new Set(
  words(`
    abstract as async await base covariant deferred dynamic export extension external factory
    get hide implements import interface late library mixin of on operator part required
    sealed set show static sync type typedef when yield Function _
  `),
);
