<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
  <context>
    <name>AlarmCheck</name>
    <message>
      <location filename="../../commandcenter/ui/sound.py" line="153" />
      <source>警报音文件无法读取</source>
      <translation>the alarm sound file cannot be read</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/sound.py" line="157" />
      <source>没有多媒体组件</source>
      <translation>Qt Multimedia is missing</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/sound.py" line="159" />
      <source>没有音频输出设备</source>
      <translation>no audio output device</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/sound.py" line="162" />
      <source>音频设备不支持警报音格式</source>
      <translation>the audio device does not play the alarm's format</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/sound.py" line="169" />
      <source>警报音不可用：{why}</source>
      <translation>Alarm sound unavailable: {why}</translation>
    </message>
  </context>
  <context>
    <name>AlertListModel</name>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="103" />
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="104" />
      <source>标题</source>
      <translation>Title</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="105" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="106" />
      <source>处理</source>
      <translation>Operator state</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="107" />
      <source>发布时间</source>
      <translation>Issued at</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="108" />
      <source>编号</source>
      <translation>ID</translation>
    </message>
  </context>
  <context>
    <name>AlertTableModel</name>
    <message>
      <location filename="../../commandcenter/ui/models/alerts.py" line="125" />
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/alerts.py" line="125" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/alerts.py" line="126" />
      <source>预警</source>
      <translation>Warning</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/alerts.py" line="126" />
      <source>区域</source>
      <translation>Area</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/alerts.py" line="127" />
      <source>发布</source>
      <translation>Issued</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/alerts.py" line="127" />
      <source>有效至</source>
      <translation>Valid until</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/alerts.py" line="128" />
      <source>处置</source>
      <translation>Operator state</translation>
    </message>
  </context>
  <context>
    <name>AlertTile</name>
    <message>
      <location filename="../../commandcenter/ui/tiles/alerts.py" line="20" />
      <source>预警信息</source>
      <translation>Warnings</translation>
    </message>
    <message>
      <source>处置指引</source>
      <translation>Guidance</translation>
    </message>
    <message>
      <source>未确认</source>
      <translation>Unacknowledged</translation>
    </message>
  </context>
  <context>
    <name>ConsoleWindow</name>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="113" />
      <source>操作台 · {title}</source>
      <translation>Operator console · {title}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="139" />
      <source>事件检索</source>
      <translation>Incident search</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="142" />
      <source>编号或标题关键字</source>
      <translation>ID or words of the title</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="144" />
      <source>网格编号（逗号分隔）</source>
      <translation>Grid IDs (comma-separated)</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="146" />
      <source>全部类别</source>
      <translation>All categories</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="149" />
      <source>检索</source>
      <translation>Search</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="165" />
      <source>推送事件到大屏</source>
      <translation>Push incident to the wall</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="167" />
      <source>推送网格到大屏</source>
      <translation>Push grid to the wall</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="173" />
      <source>按编号推送</source>
      <translation>Push by ID</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="176" />
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="176" />
      <location filename="../../commandcenter/ui/console/window.py" line="194" />
      <source>预警</source>
      <translation>Warnings</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="176" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="177" />
      <source>资源</source>
      <translation>Resource</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="180" />
      <source>编号</source>
      <translation>ID</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="182" />
      <source>推送</source>
      <translation>Push</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="201" />
      <source>确认</source>
      <translation>Acknowledge</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="203" />
      <source>搁置</source>
      <translation>Shelve</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="208" />
      <location filename="../../commandcenter/ui/console/window.py" line="288" />
      <source> 分钟</source>
      <translation> min</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="209" />
      <source>升级</source>
      <translation>Escalate</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="211" />
      <source>推送预警到大屏</source>
      <translation>Push warning to the wall</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="219" />
      <source>大屏控制</source>
      <translation>Wall control</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="222" />
      <source>操作员</source>
      <translation>Operator</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="225" />
      <source>推送到</source>
      <translation>Push to</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="227" />
      <source>页面</source>
      <translation>Page</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="229" />
      <location filename="../../commandcenter/ui/console/window.py" line="646" />
      <source>暂停轮播</source>
      <translation>Pause rotation</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="231" />
      <location filename="../../commandcenter/ui/console/window.py" line="336" />
      <source>下一页</source>
      <translation>Next page</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="233" />
      <location filename="../../commandcenter/ui/console/window.py" line="649" />
      <source>固定页面</source>
      <translation>Pin page</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="243" />
      <source>演练</source>
      <translation>Drills</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="249" />
      <location filename="../../commandcenter/ui/console/window.py" line="338" />
      <source>开始演练</source>
      <translation>Start drill</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="251" />
      <location filename="../../commandcenter/ui/console/window.py" line="339" />
      <source>结束演练</source>
      <translation>Stop drill</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="253" />
      <source>生成报告</source>
      <translation>Write report</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="279" />
      <source>回放</source>
      <translation>Replay</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="289" />
      <source>回放此时段</source>
      <translation>Replay this window</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="291" />
      <source>从</source>
      <translation>From</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="293" />
      <source>时长</source>
      <translation>Duration</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="324" />
      <source>显示/隐藏快捷键帮助</source>
      <translation>Show / hide this shortcut help</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="325" />
      <source>检索：编号或关键字</source>
      <translation>Search: ID or words</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="326" />
      <source>检索：网格</source>
      <translation>Search: grid</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="327" />
      <source>检索结果列表</source>
      <translation>Search results</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="328" />
      <source>预警列表</source>
      <translation>Warning list</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="329" />
      <source>推送选中的事件或预警到大屏</source>
      <translation>Push the selected incident or warning to the wall</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="330" />
      <source>推送选中事件的网格到大屏</source>
      <translation>Push the selected incident's grid to the wall</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="331" />
      <source>选择推送到的大屏窗口</source>
      <translation>Choose the wall window to push to</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="332" />
      <source>确认选中的预警</source>
      <translation>Acknowledge the selected warning</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="333" />
      <source>搁置选中的预警</source>
      <translation>Shelve the selected warning</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="334" />
      <source>升级选中的预警</source>
      <translation>Escalate the selected warning</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="335" />
      <source>暂停/恢复轮播</source>
      <translation>Pause / resume the rotation</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="337" />
      <source>固定/取消固定页面</source>
      <translation>Pin / unpin the page</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="340" />
      <source>回放所选时段</source>
      <translation>Replay the chosen window</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="341" />
      <source>回放：暂停/继续</source>
      <translation>Replay: pause / play</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="342" />
      <source>回到实时</source>
      <translation>Back to live</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="343" />
      <source>退出</source>
      <translation>Quit</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="393" />
      <source>操作失败：{error}</source>
      <translation>Action failed: {error}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="426" />
      <source>检索中…</source>
      <translation>Searching…</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="434" />
      <source>找到 {n} 条</source>
      <translation>{n} found</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="448" />
      <source>请先选择要推送的记录</source>
      <translation>Select a record to push first</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="453" />
      <source>已推送到大屏：{kind} {id}</source>
      <translation>Pushed to the wall: {kind} {id}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="487" />
      <location filename="../../commandcenter/ui/console/window.py" line="493" />
      <source>已确认</source>
      <translation>Acknowledged</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="489" />
      <source>已搁置</source>
      <translation>Shelved</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="491" />
      <source>已升级</source>
      <translation>Escalated</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="495" />
      <source>待确认 · 占用大屏</source>
      <translation>Unacknowledged · holding the wall</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="495" />
      <source>待确认</source>
      <translation>Unacknowledged</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="504" />
      <source>请先选择一条预警</source>
      <translation>Select a warning first</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="527" />
      <source>已确认预警 {id}</source>
      <translation>Warning {id} acknowledged</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="527" />
      <source>已搁置预警 {id}</source>
      <translation>Warning {id} shelved</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="528" />
      <source>已升级预警 {id}</source>
      <translation>Warning {id} escalated</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="577" />
      <source>主屏</source>
      <translation>primary</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="578" />
      <source>窗口 {n}（屏幕 {screens}）</source>
      <translation>Window {n} (screen {screens})</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="601" />
      <source>轮播已恢复</source>
      <translation>Rotation resumed</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="604" />
      <source>轮播已暂停</source>
      <translation>Rotation paused</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="620" />
      <source>已取消固定</source>
      <translation>Unpinned</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="624" />
      <source>已固定页面：{page}</source>
      <translation>Page pinned: {page}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="632" />
      <source>红色预警 {id} 占用大屏，等待确认</source>
      <translation>Red warning {id} holds the wall until acknowledged</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="634" />
      <source>轮播：已暂停</source>
      <translation>Rotation: paused</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="636" />
      <source>轮播：查看详情中，稍后继续</source>
      <translation>Rotation: details open, continues shortly</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="638" />
      <source>轮播：运行中</source>
      <translation>Rotation: running</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="642" />
      <source>固定</source>
      <translation>pinned</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="643" />
      <source>{s} 秒后换页</source>
      <translation>next page in {s} s</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="643" />
      <source>不轮播</source>
      <translation>not rotating</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="644" />
      <source>窗口 {n}：{page}（{state}）</source>
      <translation>Window {n}: {page} ({state})</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="646" />
      <source>恢复轮播</source>
      <translation>Resume rotation</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="649" />
      <source>取消固定</source>
      <translation>Unpin</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="652" />
      <source>演练进行中：{id}</source>
      <translation>Drill running: {id}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="669" />
      <source>本系统未启用演练功能</source>
      <translation>Drills are not enabled on this wall</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="673" />
      <source>请选择演练脚本</source>
      <translation>Choose a drill scenario</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="682" />
      <source>操作台启动</source>
      <translation>started from the console</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="684" />
      <source>演练未开始：{why}</source>
      <translation>Drill not started: {why}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="686" />
      <source>演练已开始：{id}</source>
      <translation>Drill started: {id}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="697" />
      <source>操作台结束</source>
      <translation>stopped from the console</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="699" />
      <source>演练已结束，但后端未确认：{why}</source>
      <translation>Drill stopped, but the backend did not confirm: {why}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="701" />
      <source>演练已结束</source>
      <translation>Drill stopped</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="711" />
      <source>没有可生成报告的演练</source>
      <translation>No drill to report on</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="722" />
      <source>报告已生成：{path}</source>
      <translation>Report written: {path}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="746" />
      <source>本系统未启用回放功能</source>
      <translation>Replay is not enabled on this wall</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="750" />
      <source>回放时段必须在当前时间之前</source>
      <translation>The replay window must lie in the past</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="754" />
      <source>回放 {start} 起 {minutes} 分钟，{speed}×</source>
      <translation>Replaying {minutes} min from {start} at {speed}×</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="782" />
      <source>已回到实时</source>
      <translation>Back to live</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="796" />
      <source>配置已更新并生效</source>
      <translation>Config updated and applied</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="802" />
      <source>（Ctrl+End 回到实时）</source>
      <translation>(Ctrl+End: back to live)</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="815" />
      <source>配置修改未生效，大屏保持原样：</source>
      <translation>Config edit refused; the wall keeps running as it was:</translation>
    </message>
  </context>
  <context>
    <name>DetailController</name>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="405" />
      <source>读取中…</source>
      <translation>Loading…</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="438" />
      <source>实时数据中没有此事件，正在查询…</source>
      <translation>Not in the live data; querying the store…</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="447" />
      <source>指标</source>
      <translation>Indicator</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="449" />
      <source>分项</source>
      <translation>Breakdown</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="470" />
      <source>已读取存储</source>
      <translation>Read from the store</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="483" />
      <source>✓ 已完整</source>
      <translation>✓ Complete</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="524" />
      <location filename="../../commandcenter/ui/details.py" line="623" />
      <source>照片</source>
      <translation>Photos</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="538" />
      <source>打开原图</source>
      <translation>Open original</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="579" />
      <source>时限</source>
      <translation>Deadline</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="580" />
      <source>编号</source>
      <translation>ID</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="581" />
      <location filename="../../commandcenter/ui/details.py" line="634" />
      <location filename="../../commandcenter/ui/details.py" line="678" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="582" />
      <location filename="../../commandcenter/ui/details.py" line="631" />
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="584" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="585" />
      <source>来源</source>
      <translation>Source</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="586" />
      <source>上报人</source>
      <translation>Reporter</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="588" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="589" />
      <location filename="../../commandcenter/ui/details.py" line="701" />
      <source>网格员</source>
      <translation>Grid worker</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="590" />
      <source>处置人</source>
      <translation>Handler</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="591" />
      <source>涉及部门</source>
      <translation>Departments</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="592" />
      <source>上报时间</source>
      <translation>Reported at</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="601" />
      <source>响应</source>
      <translation>Response</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="602" />
      <source>到场</source>
      <translation>Arrival</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="603" />
      <source>初判</source>
      <translation>Assessment</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="605" />
      <source>描述</source>
      <translation>Description</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="606" />
      <source>处置时间线</source>
      <translation>Timeline</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="619" />
      <location filename="../../commandcenter/ui/details.py" line="680" />
      <source>位置</source>
      <translation>Location</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="628" />
      <source>此预警已不在实时数据中</source>
      <translation>This warning is no longer in the live data</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="632" />
      <location filename="../../commandcenter/ui/details.py" line="677" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="634" />
      <source>生效中</source>
      <translation>In force</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="634" />
      <source>已失效</source>
      <translation>No longer in force</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="635" />
      <source>发布</source>
      <translation>Issued</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="636" />
      <source>有效至</source>
      <translation>Valid until</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="637" />
      <source>区域</source>
      <translation>Area</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="638" />
      <source>发布单位</source>
      <translation>Issued by</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="640" />
      <source>内容</source>
      <translation>Content</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="643" />
      <source>处置指引</source>
      <translation>Guidance</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="645" />
      <source>涉及网格</source>
      <translation>Grids</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="650" />
      <source>关联</source>
      <translation>Related</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="658" />
      <source>处置记录</source>
      <translation>Operator actions</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="674" />
      <source>此资源不在实时数据中</source>
      <translation>This resource is not in the live data</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="682" />
      <source>数量/阈值</source>
      <translation>Quantity / threshold</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="683" />
      <source>电话</source>
      <translation>Phone</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="684" />
      <source>更新</source>
      <translation>Updated</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="700" />
      <source>所属</source>
      <translation>Belongs to</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="702" />
      <source>网格长</source>
      <translation>Grid head</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="703" />
      <source>户数</source>
      <translation>Households</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="718" />
      <source>今日指标</source>
      <translation>Today's KPIs</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="737" />
      <source>数值</source>
      <translation>Value</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="739" />
      <source>统计时段</source>
      <translation>Period</translation>
    </message>
    <message>
      <source>后台</source>
      <translation>Server</translation>
    </message>
    <message>
      <source>后台不可达</source>
      <translation>Server unreachable</translation>
    </message>
    <message>
      <source>在办事件</source>
      <translation>Open incidents</translation>
    </message>
    <message>
      <source>张</source>
      <translation>photos</translation>
    </message>
    <message>
      <source>截止</source>
      <translation>due</translation>
    </message>
    <message>
      <source>执行任务</source>
      <translation>Assigned to</translation>
    </message>
    <message>
      <source>照片不可用</source>
      <translation>Photo not available</translation>
    </message>
    <message>
      <source>相关记录</source>
      <translation>Related records</translation>
    </message>
    <message>
      <source>至</source>
      <translation>until</translation>
    </message>
    <message>
      <source>后台数据无效</source>
      <translation>Invalid data from the server</translation>
    </message>
  </context>
  <context>
    <name>DetailPanel</name>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="212" />
      <source>✕ 关闭</source>
      <translation>✕ Close</translation>
    </message>
  </context>
  <context>
    <name>DrillBanner</name>
    <message>
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <source>发起</source>
      <translation>Started by</translation>
    </message>
    <message>
      <source>演练时钟</source>
      <translation>Drill clock</translation>
    </message>
  </context>
  <context>
    <name>DrillTile</name>
    <message>
      <location filename="../../commandcenter/ui/tiles/drill.py" line="68" />
      <source>演练功能未启用</source>
      <translation>Drills are not enabled</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/tiles/drill.py" line="73" />
      <source>当前无演练</source>
      <translation>No drill running</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/tiles/drill.py" line="76" />
      <source>进行中</source>
      <translation>Running</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/tiles/drill.py" line="76" />
      <source>已结束</source>
      <translation>Finished</translation>
    </message>
    <message>
      <source>实时评分</source>
      <translation>Live scoring</translation>
    </message>
    <message>
      <source>演练时钟</source>
      <translation>Drill clock</translation>
    </message>
  </context>
  <context>
    <name>Duty</name>
    <message>
      <location filename="../../commandcenter/ui/pages.py" line="212" />
      <source>值班：{names}</source>
      <translation>On duty: {names}</translation>
    </message>
  </context>
  <context>
    <name>ExitPrompt</name>
    <message>
      <location filename="../../commandcenter/ui/kiosk.py" line="206" />
      <source>退出大屏：输入 quit 并按回车（Esc 取消）</source>
      <translation>Leave the wall: type quit and press Enter (Esc cancels)</translation>
    </message>
  </context>
  <context>
    <name>FeedHealthBar</name>
    <message>
      <location filename="../../commandcenter/ui/wall.py" line="26" />
      <source>后端时钟偏差 {s} 秒（慢于本机）</source>
      <translation>Backend clock {s} s behind this machine</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/wall.py" line="28" />
      <source>后端时钟偏差 {s} 秒（快于本机）</source>
      <translation>Backend clock {s} s ahead of this machine</translation>
    </message>
  </context>
  <context>
    <name>HelpOverlay</name>
    <message>
      <location filename="../../commandcenter/ui/console/window.py" line="54" />
      <source>键盘快捷键</source>
      <translation>Keyboard shortcuts</translation>
    </message>
  </context>
  <context>
    <name>IncidentSearchModel</name>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="75" />
      <source>编号</source>
      <translation>ID</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="76" />
      <source>标题</source>
      <translation>Title</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="77" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="78" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="79" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/console/models.py" line="80" />
      <source>上报时间</source>
      <translation>Reported at</translation>
    </message>
  </context>
  <context>
    <name>IncidentTableModel</name>
    <message>
      <location filename="../../commandcenter/ui/models/incidents.py" line="93" />
      <source>时限</source>
      <translation>Deadline</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/incidents.py" line="93" />
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/incidents.py" line="94" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/incidents.py" line="94" />
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/incidents.py" line="95" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/incidents.py" line="95" />
      <source>来源</source>
      <translation>Source</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/incidents.py" line="96" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/incidents.py" line="96" />
      <source>上报</source>
      <translation>Reported at</translation>
    </message>
  </context>
  <context>
    <name>IncidentTile</name>
    <message>
      <location filename="../../commandcenter/ui/tiles/incidents.py" line="23" />
      <source>事件实时动态</source>
      <extracomment>the count under the table changes at most this often (ms): at 200 events/s it changed on every flush, ~20 a second, and the label is not opaque, so each change repainted the tile, the page and the window under it</extracomment>
      <translation>Live incidents</translation>
    </message>
    <message numerus="yes">
      <location filename="../../commandcenter/ui/tiles/incidents.py" line="56" />
      <source>在办及近两小时办结：%n 件</source>
      <translation>
        <numerusform>Open or closed in the last 2 h: %n</numerusform>
        <numerusform>Open or closed in the last 2 h: %n</numerusform>
      </translation>
    </message>
  </context>
  <context>
    <name>KpiCard</name>
    <message>
      <source>较去年</source>
      <translation>vs last year</translation>
    </message>
    <message>
      <source>较昨日</source>
      <translation>vs yesterday</translation>
    </message>
  </context>
  <context>
    <name>KpiTile</name>
    <message>
      <location filename="../../commandcenter/ui/tiles/kpis.py" line="195" />
      <source>运行指标</source>
      <translation>KPIs</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/tiles/kpis.py" line="205" />
      <source>每小时事件数  ━ 今日  ┅ 昨日</source>
      <translation>Events per hour  ━ today  ┅ yesterday</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/tiles/kpis.py" line="209" />
      <source>办结率（当日累计，%）</source>
      <translation>Completion rate (today, cumulative, %)</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/tiles/kpis.py" line="212" />
      <source>化解层级占比</source>
      <translation>Resolution level share</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/tiles/kpis.py" line="216" />
      <source>类别排行</source>
      <translation>Top categories</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/tiles/kpis.py" line="217" />
      <source>网格排行（前8）</source>
      <translation>Top grids (8)</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/tiles/kpis.py" line="248" />
      <source>全域</source>
      <translation>Whole territory</translation>
    </message>
    <message>
      <source>初判</source>
      <translation>Assessment</translation>
    </message>
    <message>
      <source>到场</source>
      <translation>Arrival</translation>
    </message>
    <message>
      <source>响应</source>
      <translation>Response</translation>
    </message>
    <message>
      <source>今日</source>
      <translation>Today</translation>
    </message>
    <message>
      <source>指标读取失败</source>
      <translation>KPIs could not be read</translation>
    </message>
    <message>
      <source>更新于</source>
      <translation>updated</translation>
    </message>
  </context>
  <context>
    <name>LinkGuard</name>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="75" />
      <source>打开链接</source>
      <translation>Open link</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/details.py" line="76" />
      <source>在浏览器中打开以下链接？</source>
      <translation>Open this link in the browser?</translation>
    </message>
  </context>
  <context>
    <name>MapLegend</name>
    <message>
      <location filename="../../commandcenter/ui/map/legend.py" line="53" />
      <source>每网格在办事件数</source>
      <translation>Open events / grid</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/map/legend.py" line="55" />
      <source>{n} 个网格</source>
      <translation>{n} grids</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/map/legend.py" line="57" />
      <source>事件标记（{shown} / {total}）</source>
      <translation>Incidents ({shown} of {total})</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/map/legend.py" line="58" />
      <source>事件标记（{n}）</source>
      <translation>Incidents ({n})</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/map/legend.py" line="61" />
      <source>演练（虚线框）</source>
      <translation>Drill (outlined)</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/map/legend.py" line="62" />
      <source>应急资源</source>
      <translation>Emergency resources</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/map/legend.py" line="67" />
      <source>预警（{n}）</source>
      <translation>Alerts ({n})</translation>
    </message>
  </context>
  <context>
    <name>MapTile</name>
    <message>
      <location filename="../../commandcenter/ui/tiles/map.py" line="101" />
      <source>网格地图</source>
      <extracomment>a change with more incidents than this is appended to the marker ranking's groups, sorted when next needed a group's order: oldest report first (the markers take groups from their end), the id breaking ties</extracomment>
      <translation>Grid map</translation>
    </message>
  </context>
  <context>
    <name>PendingTile</name>
    <message>
      <location filename="../../commandcenter/ui/pages.py" line="73" />
      <source>读取中…</source>
      <translation>Loading…</translation>
    </message>
  </context>
  <context>
    <name>PlaceholderTile</name>
    <message>
      <location filename="../../commandcenter/ui/pages.py" line="32" />
      <source>图块不可用：{kind}</source>
      <translation>Tile not available: {kind}</translation>
    </message>
  </context>
  <context>
    <name>ReplayBanner</name>
    <message>
      <location filename="../../commandcenter/ui/replay_bar.py" line="58" />
      <source>回到实时</source>
      <translation>Back to live</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/replay_bar.py" line="109" />
      <source>红色预警 {title}</source>
      <translation>Red warning {title}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/replay_bar.py" line="111" />
      <source>应急事件超时 {title}</source>
      <translation>Emergency overdue {title}</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/replay_bar.py" line="114" />
      <source>实时：{what}</source>
      <translation>LIVE: {what}</translation>
    </message>
  </context>
  <context>
    <name>ReplayBar</name>
    <message>
      <location filename="../../commandcenter/ui/replay_bar.py" line="133" />
      <source>回到实时</source>
      <translation>Back to live</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/replay_bar.py" line="183" />
      <source>实时</source>
      <translation>Live</translation>
    </message>
  </context>
  <context>
    <name>ResourceTableModel</name>
    <message>
      <location filename="../../commandcenter/ui/models/resources.py" line="48" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/resources.py" line="48" />
      <source>名称</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/resources.py" line="49" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/resources.py" line="49" />
      <source>位置</source>
      <translation>Location</translation>
    </message>
    <message>
      <location filename="../../commandcenter/ui/models/resources.py" line="50" />
      <source>数量/阈值</source>
      <translation>Quantity / threshold</translation>
    </message>
  </context>
  <context>
    <name>ResourceTile</name>
    <message>
      <location filename="../../commandcenter/ui/tiles/resources.py" line="22" />
      <source>应急资源</source>
      <translation>Emergency resources</translation>
    </message>
  </context>
  <context>
    <name>Tile</name>
    <message>
      <source>最后更新</source>
      <translation>last update</translation>
    </message>
  </context>
  <context>
    <name>labels</name>
    <message>
      <source>上报</source>
      <translation>Reported</translation>
    </message>
    <message>
      <source>受理</source>
      <translation>Accepted</translation>
    </message>
    <message>
      <source>已派出</source>
      <translation>Dispatched</translation>
    </message>
    <message>
      <source>处置</source>
      <translation>Handling</translation>
    </message>
    <message>
      <source>办结</source>
      <translation>Closed</translation>
    </message>
    <message>
      <source>已回访</source>
      <translation>Followed up</translation>
    </message>
    <message>
      <source>蓝色</source>
      <translation>Blue</translation>
    </message>
    <message>
      <source>黄色</source>
      <translation>Yellow</translation>
    </message>
    <message>
      <source>橙色</source>
      <translation>Orange</translation>
    </message>
    <message>
      <source>红色</source>
      <translation>Red</translation>
    </message>
    <message>
      <source>矛盾纠纷</source>
      <translation>Dispute</translation>
    </message>
    <message>
      <source>安全隐患</source>
      <translation>Safety hazard</translation>
    </message>
    <message>
      <source>市政设施</source>
      <translation>Utilities</translation>
    </message>
    <message>
      <source>环境卫生</source>
      <translation>Sanitation</translation>
    </message>
    <message>
      <source>火灾</source>
      <translation>Fire</translation>
    </message>
    <message>
      <source>汛情</source>
      <translation>Flood</translation>
    </message>
    <message>
      <source>森林火险</source>
      <translation>Forest fire risk</translation>
    </message>
    <message>
      <source>渔船管控</source>
      <translation>Fishing vessels</translation>
    </message>
    <message>
      <source>治安</source>
      <translation>Public security</translation>
    </message>
    <message>
      <source>信访</source>
      <translation>Petition</translation>
    </message>
    <message>
      <source>一老一小</source>
      <translation>Elderly &amp; children</translation>
    </message>
    <message>
      <source>其他</source>
      <translation>Other</translation>
    </message>
    <message>
      <source>网格通</source>
      <translation>Grid app</translation>
    </message>
    <message>
      <source>随手拍</source>
      <translation>Citizen photo</translation>
    </message>
    <message>
      <source>12345热线</source>
      <translation>12345 hotline</translation>
    </message>
    <message>
      <source>来电来访</source>
      <translation>Calls &amp; visits</translation>
    </message>
    <message>
      <source>物联感知</source>
      <translation>IoT sensor</translation>
    </message>
    <message>
      <source>视频智能</source>
      <translation>Video AI</translation>
    </message>
    <message>
      <source>110分流</source>
      <translation>Diverted 110</translation>
    </message>
    <message>
      <source>Open311</source>
      <translation>Open311</translation>
    </message>
    <message>
      <source>演练脚本</source>
      <translation>Drill script</translation>
    </message>
    <message>
      <source>气象</source>
      <translation>Weather</translation>
    </message>
    <message>
      <source>视频分析</source>
      <translation>Video analytics</translation>
    </message>
    <message>
      <source>弱信号</source>
      <translation>Weak signal</translation>
    </message>
    <message>
      <source>超时</source>
      <translation>Overdue</translation>
    </message>
    <message>
      <source>队伍</source>
      <translation>Team</translation>
    </message>
    <message>
      <source>车辆</source>
      <translation>Vehicle</translation>
    </message>
    <message>
      <source>物资</source>
      <translation>Supplies</translation>
    </message>
    <message>
      <source>值守人员</source>
      <translation>Duty staff</translation>
    </message>
    <message>
      <source>待命</source>
      <translation>Available</translation>
    </message>
    <message>
      <source>在现场</source>
      <translation>On scene</translation>
    </message>
    <message>
      <source>停用</source>
      <translation>Out of service</translation>
    </message>
    <message>
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <source>社区</source>
      <translation>Community</translation>
    </message>
    <message>
      <source>街道</source>
      <translation>Street</translation>
    </message>
    <message>
      <source>区县及以上</source>
      <translation>District or higher</translation>
    </message>
    <message>
      <source>正常</source>
      <translation>OK</translation>
    </message>
    <message>
      <source>延迟</source>
      <translation>Lagging</translation>
    </message>
    <message>
      <source>数据过期</source>
      <translation>Stale</translation>
    </message>
    <message>
      <source>中断</source>
      <translation>Down</translation>
    </message>
    <message>
      <source>临期</source>
      <translation>Due soon</translation>
    </message>
    <message>
      <source>已完成</source>
      <translation>Done</translation>
    </message>
    <message>
      <source>响应</source>
      <translation>Response</translation>
    </message>
    <message>
      <source>到场</source>
      <translation>Arrival</translation>
    </message>
    <message>
      <source>初判</source>
      <translation>Assessment</translation>
    </message>
    <message>
      <source>完成</source>
      <translation>Done</translation>
    </message>
    <message>
      <source>演练</source>
      <translation>DRILL</translation>
    </message>
  </context>
</TS>