<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
  <context>
    <name />
    <message>
      <location filename="../../daily_report.py" line="95" />
      <source>全域</source>
      <extracomment>The day's figures, in the report's order: every indicator the centres report. The year-to-date totals and rates.</extracomment>
      <translation>Whole territory</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="96" />
      <source>运行日报</source>
      <translation>Daily operations report</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="106" />
      <location filename="../../daily_report.py" line="116" />
      <source>指标</source>
      <translation>Indicator</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="106" />
      <source>当日</source>
      <translation>The day</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="106" />
      <location filename="../../daily_report.py" line="116" />
      <source>目标</source>
      <translation>Target</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="106" />
      <source>是否达标</source>
      <translation>Target met</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="106" />
      <source>较前一日同期</source>
      <translation>vs. the day before, same hours</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="106" />
      <source>样本</source>
      <translation>Sample</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="116" />
      <source>今年以来</source>
      <translation>Year to date</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="116" />
      <source>较去年同期</source>
      <translation>vs. last year, same period</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="125" />
      <location filename="../../report.py" line="321" />
      <location filename="../../report.py" line="340" />
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="125" />
      <location filename="../../daily_report.py" line="149" />
      <location filename="../../report.py" line="422" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="125" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="125" />
      <location filename="../../report.py" line="356" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="125" />
      <location filename="../../daily_report.py" line="149" />
      <source>上报时间</source>
      <translation>Reported at</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="125" />
      <source>办结时限</source>
      <translation>Deadline</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="125" />
      <source>已超期</source>
      <translation>Overdue by</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="139" />
      <location filename="../../report.py" line="356" />
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="139" />
      <location filename="../../report.py" line="356" />
      <source>预警</source>
      <translation>Warning</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="139" />
      <location filename="../../report.py" line="356" />
      <source>区域</source>
      <translation>Area</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="139" />
      <location filename="../../report.py" line="356" />
      <source>发布</source>
      <translation>Issued</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="139" />
      <source>有效至</source>
      <translation>Valid until</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="149" />
      <source>突发事件</source>
      <translation>Emergencies</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="149" />
      <source>响应</source>
      <translation>Response</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="149" />
      <source>到场</source>
      <translation>Arrival</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="149" />
      <source>初情研判</source>
      <translation>Initial assessment</translation>
    </message>
    <message>
      <location filename="../../daily_report.py" line="149" />
      <source>1-10-20</source>
      <translation>1-10-20</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="157" />
      <source>数据不足</source>
      <translation>Not enough data</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="162" />
      <source>无突发事件</source>
      <translation>No emergencies</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="164" />
      <source>{met}/{n} 起达标</source>
      <translation>{met} of {n} met</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="165" />
      <source>数据不足（样本 {n}）</source>
      <translation>Not enough data (n={n})</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="191" />
      <source>个百分点</source>
      <translation> pts</translation>
    </message>
    <message>
      <location filename="../../report.py" line="98" />
      <source>命令行操作（未签到）</source>
      <extracomment>A login account (what a command line records when no --actor is given), not a person's name.</extracomment>
      <translation>Command line (no duty sign-in)</translation>
    </message>
    <message>
      <location filename="../../report.py" line="114" />
      <source>各阶段用时（条）与时限：红线 = 1-10-20，紫线 = 演练目标</source>
      <translation>Time per stage (bars) and limits: red line = 1-10-20, purple line = the drill's target</translation>
    </message>
    <message>
      <location filename="../../report.py" line="128" />
      <source>未达到</source>
      <translation>not reached</translation>
    </message>
    <message>
      <location filename="../../report.py" line="157" />
      <source>资源调度时间线（演练时钟）：黄 = 已派出，橙 = 在现场</source>
      <translation>Resources over the drill clock: yellow = dispatched, orange = on scene</translation>
    </message>
    <message>
      <location filename="../../report.py" line="221" />
      <source>至演练结束未完成，已用 {used}，超出 {over}</source>
      <translation>not done when the drill ended: {used} taken, {over} over the limit</translation>
    </message>
    <message>
      <location filename="../../report.py" line="222" />
      <source>超时 {over}</source>
      <translation>{over} late</translation>
    </message>
    <message>
      <location filename="../../report.py" line="223" />
      <source>{what}：{note}</source>
      <translation>{what}: {note}</translation>
    </message>
    <message>
      <location filename="../../report.py" line="233" />
      <source>未完成</source>
      <translation>not done</translation>
    </message>
    <message>
      <location filename="../../report.py" line="235" />
      <source>{title}：{stage}用时 {used}，超出时限 {limit}。{why}</source>
      <translation>{title}: {stage} took {used}, beyond its limit of {limit}. {why}</translation>
    </message>
    <message>
      <location filename="../../report.py" line="247" />
      <source>其他力量</source>
      <translation>other forces</translation>
    </message>
    <message>
      <location filename="../../report.py" line="254" />
      <source>指挥中心值班人员</source>
      <translation>Command center duty staff</translation>
    </message>
    <message>
      <location filename="../../report.py" line="255" />
      <source>应急力量（{kind}）</source>
      <translation>Response forces ({kind})</translation>
    </message>
    <message>
      <location filename="../../report.py" line="256" />
      <source>联动部门</source>
      <translation>Departments called in</translation>
    </message>
    <message>
      <location filename="../../report.py" line="256" />
      <source>现场处置人员</source>
      <translation>Responders on scene</translation>
    </message>
    <message>
      <location filename="../../report.py" line="271" />
      <source>演练评估报告</source>
      <translation>After-action report</translation>
    </message>
    <message>
      <location filename="../../report.py" line="294" />
      <source>脚本结束后自动结束</source>
      <translation>ended by itself when the scenario had played out</translation>
    </message>
    <message>
      <location filename="../../report.py" line="296" />
      <source>演练名称</source>
      <translation>Drill</translation>
    </message>
    <message>
      <location filename="../../report.py" line="296" />
      <source>演练内容</source>
      <translation>Scenario</translation>
    </message>
    <message>
      <location filename="../../report.py" line="297" />
      <source>开始时间</source>
      <translation>Started</translation>
    </message>
    <message>
      <location filename="../../report.py" line="298" />
      <source>结束时间</source>
      <translation>Stopped</translation>
    </message>
    <message>
      <location filename="../../report.py" line="299" />
      <source>演练时长</source>
      <translation>Duration</translation>
    </message>
    <message>
      <location filename="../../report.py" line="300" />
      <source>开始原因</source>
      <translation>Reason for starting</translation>
    </message>
    <message>
      <location filename="../../report.py" line="300" />
      <source>结束原因</source>
      <translation>Reason for stopping</translation>
    </message>
    <message>
      <location filename="../../report.py" line="301" />
      <source>演练规模</source>
      <translation>Scale</translation>
    </message>
    <message>
      <location filename="../../report.py" line="301" />
      <source>突发事件 {n} 起，预警 {w} 条，调度力量 {r} 支（辆）</source>
      <translation>{n} emergencies, {w} warnings, {r} teams or vehicles dispatched</translation>
    </message>
    <message>
      <location filename="../../report.py" line="303" />
      <location filename="../../report.py" line="321" />
      <source>演练目标</source>
      <translation>Targets</translation>
    </message>
    <message>
      <location filename="../../report.py" line="303" />
      <source>响应 ≤ {r}，到场 ≤ {a}，初情研判 ≤ {s}（1-10-20：1:00、10:00、20:00）</source>
      <translation>response ≤ {r}, on scene ≤ {a}, initial assessment ≤ {s} (1-10-20: 1:00, 10:00, 20:00)</translation>
    </message>
    <message>
      <location filename="../../report.py" line="306" />
      <source>总体评价</source>
      <translation>Overall result</translation>
    </message>
    <message>
      <location filename="../../report.py" line="321" />
      <source>阶段</source>
      <translation>Stage</translation>
    </message>
    <message>
      <location filename="../../report.py" line="321" />
      <source>用时</source>
      <translation>Time taken</translation>
    </message>
    <message>
      <location filename="../../report.py" line="321" />
      <source>是否达标（目标）</source>
      <translation>Met (target)</translation>
    </message>
    <message>
      <location filename="../../report.py" line="322" />
      <source>是否达标（1-10-20）</source>
      <translation>Met (1-10-20)</translation>
    </message>
    <message>
      <location filename="../../report.py" line="322" />
      <location filename="../../report.py" line="398" />
      <source>原因</source>
      <translation>Reason</translation>
    </message>
    <message>
      <location filename="../../report.py" line="340" />
      <source>资源</source>
      <translation>Resource</translation>
    </message>
    <message>
      <location filename="../../report.py" line="340" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../report.py" line="340" />
      <source>派出</source>
      <translation>Dispatched</translation>
    </message>
    <message>
      <location filename="../../report.py" line="340" />
      <source>派出用时（自上报）</source>
      <translation>Dispatched after report</translation>
    </message>
    <message>
      <location filename="../../report.py" line="340" />
      <source>到达现场</source>
      <translation>On scene</translation>
    </message>
    <message>
      <location filename="../../report.py" line="340" />
      <source>归队</source>
      <translation>Back at base</translation>
    </message>
    <message>
      <location filename="../../report.py" line="358" />
      <source>【演练】{name}</source>
      <translation>[DRILL] {name}</translation>
    </message>
    <message>
      <location filename="../../report.py" line="389" />
      <source>评估人（签字）</source>
      <translation>Evaluated by (signature)</translation>
    </message>
    <message>
      <location filename="../../report.py" line="389" />
      <source>审核人（签字）</source>
      <translation>Reviewed by (signature)</translation>
    </message>
    <message>
      <location filename="../../report.py" line="389" />
      <source>审批意见</source>
      <translation>Approval remarks</translation>
    </message>
    <message>
      <location filename="../../report.py" line="390" />
      <source>审批人（签字）</source>
      <translation>Approved by (signature)</translation>
    </message>
    <message>
      <location filename="../../report.py" line="390" />
      <source>演练组织单位（盖章）</source>
      <translation>Organising unit (seal)</translation>
    </message>
    <message>
      <location filename="../../report.py" line="398" />
      <location filename="../../report.py" line="422" />
      <source>时间</source>
      <translation>Time</translation>
    </message>
    <message>
      <location filename="../../report.py" line="398" />
      <source>操作</source>
      <translation>Action</translation>
    </message>
    <message>
      <location filename="../../report.py" line="398" />
      <location filename="../../report.py" line="422" />
      <source>对象</source>
      <translation>Subject</translation>
    </message>
    <message>
      <location filename="../../report.py" line="398" />
      <source>人员</source>
      <translation>Person</translation>
    </message>
    <message>
      <location filename="../../report.py" line="422" />
      <source>演练时钟</source>
      <translation>Drill clock</translation>
    </message>
    <message>
      <location filename="../../report.py" line="422" />
      <source>动作</source>
      <translation>What</translation>
    </message>
    <message>
      <location filename="../../report.py" line="422" />
      <source>说明</source>
      <translation>Details</translation>
    </message>
  </context>
  <context>
    <name>AlarmCheck</name>
    <message>
      <location filename="../../sound.py" line="152" />
      <source>警报音文件无法读取</source>
      <translation>the alarm sound file cannot be read</translation>
    </message>
    <message>
      <location filename="../../sound.py" line="156" />
      <source>没有多媒体组件</source>
      <translation>Qt Multimedia is missing</translation>
    </message>
    <message>
      <location filename="../../sound.py" line="158" />
      <source>没有音频输出设备</source>
      <translation>no audio output device</translation>
    </message>
    <message>
      <location filename="../../sound.py" line="161" />
      <source>音频设备不支持警报音格式</source>
      <translation>the audio device does not play the alarm's format</translation>
    </message>
    <message>
      <location filename="../../sound.py" line="168" />
      <source>警报音不可用：{why}</source>
      <translation>Alarm sound unavailable: {why}</translation>
    </message>
  </context>
  <context>
    <name>AlertBanner</name>
    <message>
      <location filename="../../banner.py" line="64" />
      <source>确认</source>
      <translation>Acknowledge</translation>
    </message>
    <message>
      <location filename="../../services.py" line="49" />
      <source>大屏值班员</source>
      <translation>Wall duty officer</translation>
    </message>
    <message>
      <location filename="../../services.py" line="50" />
      <source>大屏</source>
      <translation>Wall</translation>
    </message>
  </context>
  <context>
    <name>AlertListModel</name>
    <message>
      <location filename="../../console/models.py" line="135" />
      <source>类别</source>
      <translation>Kind</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="136" />
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="137" />
      <source>标题</source>
      <translation>Title</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="138" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="139" />
      <source>处理</source>
      <translation>Operator state</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="140" />
      <source>发布时间</source>
      <translation>Issued at</translation>
    </message>
  </context>
  <context>
    <name>AlertTableModel</name>
    <message>
      <location filename="../../models/alerts.py" line="155" />
      <location filename="../../models/alerts.py" line="160" />
      <source>级别</source>
      <extracomment>Where each kind of signal sorts in a list holding several: public warnings first, they must never be lost.</extracomment>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="155" />
      <location filename="../../models/alerts.py" line="160" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="156" />
      <source>预警</source>
      <translation>Public warning</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="156" />
      <location filename="../../models/alerts.py" line="161" />
      <location filename="../../models/alerts.py" line="165" />
      <source>区域</source>
      <translation>Area</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="157" />
      <source>发布</source>
      <translation>Issued</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="157" />
      <source>有效至</source>
      <translation>Valid until</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="158" />
      <location filename="../../models/alerts.py" line="162" />
      <location filename="../../models/alerts.py" line="166" />
      <source>处置</source>
      <translation>Operator state</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="161" />
      <source>告警</source>
      <translation>Alarm</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="162" />
      <source>发生</source>
      <translation>At</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="164" />
      <source>督办等级</source>
      <translation>Grade</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="164" />
      <source>督办事项</source>
      <translation>Supervision of overdue work</translation>
    </message>
    <message>
      <location filename="../../models/alerts.py" line="165" />
      <source>督办时间</source>
      <translation>Since</translation>
    </message>
  </context>
  <context>
    <name>AlertTile</name>
    <message>
      <location filename="../../tiles/alerts.py" line="21" />
      <source>预警信息</source>
      <translation>Public warnings</translation>
    </message>
    <message>
      <location filename="../../tiles/alerts.py" line="22" />
      <source>设备告警</source>
      <translation>Device alarms</translation>
    </message>
    <message>
      <location filename="../../tiles/alerts.py" line="23" />
      <source>督办事项</source>
      <translation>Supervision of overdue work</translation>
    </message>
    <message>
      <location filename="../../tiles/alerts.py" line="74" />
      <source>➤ 处置指引（{title}）：{text}</source>
      <extracomment>Column shares of the width, per kind (the columns of AlertTableModel.COLUMNS_OF). Which columns a narrow tile drops first (higher first; 0 always stays): level, title and state stay.</extracomment>
      <translation>➤ Guidance ({title}): {text}</translation>
    </message>
    <message>
      <location filename="../../tiles/alerts.py" line="94" />
      <source>未确认 {n}</source>
      <translation>unacknowledged {n}</translation>
    </message>
  </context>
  <context>
    <name>CameraDetails</name>
    <message>
      <location filename="../../camera_details.py" line="22" />
      <source>北</source>
      <translation>N</translation>
    </message>
    <message>
      <location filename="../../camera_details.py" line="22" />
      <source>东北</source>
      <translation>NE</translation>
    </message>
    <message>
      <location filename="../../camera_details.py" line="23" />
      <source>东</source>
      <translation>E</translation>
    </message>
    <message>
      <location filename="../../camera_details.py" line="23" />
      <source>东南</source>
      <translation>SE</translation>
    </message>
    <message>
      <location filename="../../camera_details.py" line="24" />
      <source>南</source>
      <translation>S</translation>
    </message>
    <message>
      <location filename="../../camera_details.py" line="24" />
      <source>西南</source>
      <translation>SW</translation>
    </message>
    <message>
      <location filename="../../camera_details.py" line="25" />
      <source>西</source>
      <translation>W</translation>
    </message>
    <message>
      <location filename="../../camera_details.py" line="25" />
      <source>西北</source>
      <translation>NW</translation>
    </message>
    <message>
      <source>公里</source>
      <translation>km</translation>
    </message>
    <message>
      <source>摄像头目录中没有此摄像头</source>
      <translation>This camera is not in the camera catalogue</translation>
    </message>
    <message>
      <source>米</source>
      <translation>m</translation>
    </message>
    <message>
      <source>附近没有摄像头</source>
      <translation>No camera nearby</translation>
    </message>
    <message>
      <source>附近视频</source>
      <translation>Cameras nearby</translation>
    </message>
  </context>
  <context>
    <name>CameraView</name>
    <message>
      <location filename="../../video.py" line="55" />
      <location filename="../../video.py" line="264" />
      <source>未分配</source>
      <translation>Unassigned</translation>
    </message>
    <message>
      <location filename="../../video.py" line="56" />
      <source>连接中</source>
      <translation>Connecting</translation>
    </message>
    <message>
      <location filename="../../video.py" line="57" />
      <source>直播</source>
      <translation>Live</translation>
    </message>
    <message>
      <location filename="../../video.py" line="58" />
      <source>画面中断 · 重连中</source>
      <translation>Stalled · reconnecting</translation>
    </message>
    <message>
      <location filename="../../video.py" line="59" />
      <source>离线</source>
      <translation>Offline</translation>
    </message>
    <message>
      <location filename="../../video.py" line="60" />
      <source>无法播放 · 重试中</source>
      <translation>Cannot play · retrying</translation>
    </message>
  </context>
  <context>
    <name>ConfirmBar</name>
    <message>
      <location filename="../../console/confirm.py" line="36" />
      <source>接收人（必填）</source>
      <translation>Recipient (required)</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="38" />
      <source>原因（必填）</source>
      <translation>Reason (required)</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="39" />
      <location filename="../../console/confirm.py" line="64" />
      <source>确认</source>
      <translation>Confirm</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="40" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
  </context>
  <context>
    <name>ConsoleWindow</name>
    <message>
      <location filename="../../console/window.py" line="169" />
      <source>操作台 · {title}</source>
      <extracomment>Lines the rotation status keeps room for (its state, and one per wall window); more are cut, never pushed.</extracomment>
      <translation>Operator console · {title}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="207" />
      <source>事件检索</source>
      <translation>Incident search</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="210" />
      <source>编号或标题关键字</source>
      <translation>ID or words of the title</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="214" />
      <source>全部类别</source>
      <translation>All categories</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="217" />
      <source>检索</source>
      <translation>Search</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="234" />
      <source>推送事件到大屏</source>
      <translation>Push incident to the wall</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="236" />
      <source>推送网格到大屏</source>
      <translation>Push grid to the wall</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="242" />
      <source>按编号推送</source>
      <translation>Push by ID</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="245" />
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="246" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="246" />
      <source>资源</source>
      <translation>Resource</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="246" />
      <source>摄像头</source>
      <translation>Camera</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="249" />
      <source>编号</source>
      <translation>ID</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="251" />
      <source>推送</source>
      <translation>Push</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="258" />
      <source>推送视频到图块</source>
      <translation>Push video to a tile</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="263" />
      <source>摄像头编号，逗号分隔</source>
      <translation>Camera ids, comma-separated</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="265" />
      <source>推送视频</source>
      <translation>Push video</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="285" />
      <source>确认</source>
      <translation>Acknowledge</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="287" />
      <source>搁置</source>
      <translation>Shelve</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="292" />
      <location filename="../../console/window.py" line="385" />
      <source> 分钟</source>
      <translation> min</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="293" />
      <source>升级</source>
      <translation>Escalate</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="303" />
      <source>大屏控制</source>
      <translation>Wall control</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="307" />
      <source>推送到</source>
      <translation>Push to</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="309" />
      <source>页面</source>
      <translation>Page</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="311" />
      <location filename="../../console/window.py" line="813" />
      <source>暂停轮播</source>
      <translation>Pause rotation</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="313" />
      <location filename="../../console/window.py" line="432" />
      <source>下一页</source>
      <translation>Next page</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="315" />
      <location filename="../../console/window.py" line="816" />
      <source>固定页面</source>
      <translation>Pin page</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="327" />
      <source>演练</source>
      <translation>Drills</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="333" />
      <source>开始演练</source>
      <translation>Start drill</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="335" />
      <source>结束演练</source>
      <translation>Stop drill</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="337" />
      <source>生成报告</source>
      <translation>Write report</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="351" />
      <source>操作记录</source>
      <translation>Action history</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="376" />
      <source>回放</source>
      <translation>Replay</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="386" />
      <source>回放此时段</source>
      <translation>Replay this window</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="388" />
      <source>从</source>
      <translation>From</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="390" />
      <source>时长</source>
      <translation>Duration</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="420" />
      <source>显示/隐藏快捷键帮助</source>
      <translation>Show / hide this shortcut help</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="421" />
      <source>检索：编号或关键字</source>
      <translation>Search: ID or words</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="422" />
      <source>检索：网格</source>
      <translation>Search: grid</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="423" />
      <source>检索结果列表</source>
      <translation>Search results</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="426" />
      <source>推送选中事件的网格到大屏</source>
      <translation>Push the selected incident's grid to the wall</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="427" />
      <source>选择推送到的大屏窗口</source>
      <translation>Choose the wall window to push to</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="431" />
      <source>暂停/恢复轮播</source>
      <translation>Pause / resume the rotation</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="433" />
      <source>固定/取消固定页面</source>
      <translation>Pin / unpin the page</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="434" />
      <source>开始演练（需确认并填写原因）</source>
      <translation>Start a drill (asks to confirm, with a reason)</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="435" />
      <source>结束演练（需确认并填写原因）</source>
      <translation>Stop the drill (asks to confirm, with a reason)</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="436" />
      <source>回放所选时段</source>
      <translation>Replay the chosen window</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="437" />
      <source>回放：暂停/继续</source>
      <translation>Replay: pause / play</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="438" />
      <source>回到实时</source>
      <translation>Back to live</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="439" />
      <source>退出</source>
      <translation>Quit</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="489" />
      <source>操作失败：{error}</source>
      <translation>Action failed: {error}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="517" />
      <location filename="../../console/window.py" line="680" />
      <source>请先签到：选择值班人员和席位</source>
      <translation>Sign in first: choose the person on duty and the seat</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="559" />
      <source>检索中…</source>
      <translation>Searching…</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="566" />
      <source>找到 {n} 条</source>
      <translation>{n} found</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="593" />
      <source>请先选择要推送的记录</source>
      <translation>Select a record to push first</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="600" />
      <source>已推送到大屏：{kind} {id}</source>
      <translation>Pushed to the wall: {kind} {id}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="631" />
      <source>请先填写摄像头编号</source>
      <translation>Enter camera ids first</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="636" />
      <source>大屏上没有此视频图块：{title}</source>
      <translation>No video tile on the wall: {title}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="639" />
      <source>已推送视频到 {title}：{ids}</source>
      <translation>Video pushed to {title}: {ids}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="654" />
      <source>已确认</source>
      <translation>Acknowledged</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="654" />
      <source>已搁置</source>
      <translation>Shelved</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="655" />
      <source>已升级</source>
      <translation>Escalated</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="656" />
      <source>待确认 · 占用大屏</source>
      <translation>Unacknowledged · holding the wall</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="655" />
      <source>待确认</source>
      <translation>Unacknowledged</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="844" />
      <source>演练 {id} 正在进行，请先结束</source>
      <translation>Drill {id} is running: stop it first</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="848" />
      <source>开始演练「{name}」？演练内容将在大屏上以【演练】标示。</source>
      <translation>Start the drill “{name}”? Everything it makes is marked 【DRILL】 on the wall.</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="850" />
      <source>确认开始演练</source>
      <translation>Start the drill</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="873" />
      <source>结束演练「{name}」？</source>
      <translation>Stop the drill “{name}”?</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="875" />
      <source>确认结束演练</source>
      <translation>Stop the drill</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="212" />
      <source>网格名称或编号（逗号分隔）</source>
      <translation>Grid names or IDs (comma-separated)</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="245" />
      <source>预警/告警/督办</source>
      <translation>Warning / alarm / supervision</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="278" />
      <source>预警 · 告警 · 督办</source>
      <translation>Warnings · alarms · supervision</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="295" />
      <source>推送选中信号到大屏</source>
      <translation>Push the selected signal to the wall</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="424" />
      <source>预警、告警、督办列表</source>
      <translation>Warnings, alarms and supervision list</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="425" />
      <source>推送选中的事件或信号到大屏</source>
      <translation>Push the selected incident or signal to the wall</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="428" />
      <source>确认选中的信号</source>
      <translation>Acknowledge the selected signal</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="429" />
      <source>搁置选中的信号</source>
      <translation>Shelve the selected signal</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="430" />
      <source>升级选中的信号</source>
      <translation>Escalate the selected signal</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="610" />
      <source>（已不在实时数据中）</source>
      <translation>(no longer in the live data)</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="666" />
      <source>请先选择一条预警、告警或督办</source>
      <translation>Select a warning, alarm or supervision notice first</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="671" />
      <source>升级预警 {id}：报送给谁，为什么？</source>
      <translation>Escalate warning {id}: to whom, and why?</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="674" />
      <source>确认升级</source>
      <translation>Escalate</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="689" />
      <source>已确认 {id}</source>
      <translation>Acknowledged: {id}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="689" />
      <source>已搁置 {id}</source>
      <translation>Shelved: {id}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="690" />
      <source>已升级 {id}</source>
      <translation>Escalated: {id}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="746" />
      <source>主屏</source>
      <translation>primary</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="747" />
      <source>窗口 {n}（屏幕 {screens}）</source>
      <translation>Window {n} (screen {screens})</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="768" />
      <source>轮播已恢复</source>
      <translation>Rotation resumed</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="771" />
      <source>轮播已暂停</source>
      <translation>Rotation paused</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="787" />
      <source>已取消固定</source>
      <translation>Unpinned</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="791" />
      <source>已固定页面：{page}</source>
      <translation>Page pinned: {page}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="799" />
      <source>红色预警 {id} 占用大屏，等待确认</source>
      <translation>Red warning {id} holds the wall until acknowledged</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="802" />
      <source>轮播：已暂停</source>
      <translation>Rotation: paused</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="804" />
      <source>轮播：查看详情中，稍后继续</source>
      <translation>Rotation: details open, continues shortly</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="806" />
      <source>轮播：运行中</source>
      <translation>Rotation: running</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="809" />
      <source>固定</source>
      <translation>pinned</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="810" />
      <source>{s} 秒后换页</source>
      <translation>next page in {s} s</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="810" />
      <source>不轮播</source>
      <translation>not rotating</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="811" />
      <source>窗口 {n}：{page}（{state}）</source>
      <translation>Window {n}: {page} ({state})</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="813" />
      <source>恢复轮播</source>
      <translation>Resume rotation</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="816" />
      <source>取消固定</source>
      <translation>Unpin</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="819" />
      <source>演练进行中：{id}</source>
      <translation>Drill running: {id}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="820" />
      <source>当前无演练</source>
      <translation>No drill running</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="836" />
      <source>本系统未启用演练功能</source>
      <translation>Drills are not enabled on this wall</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="840" />
      <source>请选择演练脚本</source>
      <translation>Choose a drill scenario</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="861" />
      <source>演练未开始：{why}</source>
      <translation>Drill not started: {why}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="863" />
      <source>演练已开始：{id}</source>
      <translation>Drill started: {id}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="881" />
      <source>演练已结束，但后端未确认：{why}</source>
      <translation>Drill stopped, but the backend did not confirm: {why}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="883" />
      <source>演练已结束</source>
      <translation>Drill stopped</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="890" />
      <source>没有可生成报告的演练</source>
      <translation>No drill to report on</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="902" />
      <source>报告已生成：{path}</source>
      <translation>Report written: {path}</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="927" />
      <source>本系统未启用回放功能</source>
      <translation>Replay is not enabled on this wall</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="931" />
      <source>回放时段必须在当前时间之前</source>
      <translation>The replay window must lie in the past</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="935" />
      <source>回放 {start} 起 {minutes} 分钟，{speed}×</source>
      <translation>Replaying {minutes} min from {start} at {speed}×</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="960" />
      <source>已回到实时</source>
      <translation>Back to live</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="982" />
      <source>配置已更新并生效</source>
      <translation>Config updated and applied</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="988" />
      <source>（Ctrl+End 回到实时）</source>
      <translation>(Ctrl+End: back to live)</translation>
    </message>
    <message>
      <location filename="../../console/window.py" line="1001" />
      <source>配置修改未生效，大屏保持原样：</source>
      <translation>Config edit refused; the wall keeps running as it was:</translation>
    </message>
  </context>
  <context>
    <name>DetailController</name>
    <message>
      <location filename="../../details.py" line="478" />
      <source>读取中…</source>
      <translation>Loading…</translation>
    </message>
    <message>
      <location filename="../../details.py" line="529" />
      <source>实时数据中没有此事件，正在查询…</source>
      <translation>Not in the live data; querying the store…</translation>
    </message>
    <message>
      <location filename="../../details.py" line="536" />
      <source>指标</source>
      <translation>Indicator</translation>
    </message>
    <message>
      <location filename="../../details.py" line="538" />
      <source>分项</source>
      <translation>Breakdown</translation>
    </message>
    <message>
      <location filename="../../details.py" line="561" />
      <source>已读取存储</source>
      <translation>Read from the store</translation>
    </message>
    <message>
      <location filename="../../details.py" line="567" />
      <source>✓ 已完整</source>
      <translation>✓ Complete</translation>
    </message>
    <message>
      <location filename="../../details.py" line="608" />
      <location filename="../../details.py" line="715" />
      <source>照片</source>
      <translation>Photos</translation>
    </message>
    <message>
      <location filename="../../details.py" line="623" />
      <source>打开原图</source>
      <translation>Open original</translation>
    </message>
    <message>
      <location filename="../../details.py" line="672" />
      <source>时限</source>
      <translation>Deadline</translation>
    </message>
    <message>
      <location filename="../../details.py" line="673" />
      <source>编号</source>
      <translation>ID</translation>
    </message>
    <message>
      <location filename="../../details.py" line="674" />
      <location filename="../../details.py" line="726" />
      <location filename="../../details.py" line="781" />
      <location filename="../../details.py" line="803" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../details.py" line="675" />
      <location filename="../../details.py" line="723" />
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="../../details.py" line="677" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../details.py" line="678" />
      <source>来源</source>
      <translation>Source</translation>
    </message>
    <message>
      <location filename="../../details.py" line="679" />
      <source>上报人</source>
      <translation>Reporter</translation>
    </message>
    <message>
      <location filename="../../details.py" line="681" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../details.py" line="682" />
      <location filename="../../details.py" line="842" />
      <source>网格员</source>
      <translation>Grid worker</translation>
    </message>
    <message>
      <location filename="../../details.py" line="683" />
      <source>处置人</source>
      <translation>Handler</translation>
    </message>
    <message>
      <location filename="../../details.py" line="684" />
      <source>涉及部门</source>
      <translation>Departments</translation>
    </message>
    <message>
      <location filename="../../details.py" line="685" />
      <source>上报时间</source>
      <translation>Reported at</translation>
    </message>
    <message>
      <location filename="../../details.py" line="694" />
      <source>响应</source>
      <translation>Response</translation>
    </message>
    <message>
      <location filename="../../details.py" line="93" />
      <location filename="../../details.py" line="695" />
      <source>到场</source>
      <translation>Arrival</translation>
    </message>
    <message>
      <location filename="../../details.py" line="698" />
      <source>描述</source>
      <translation>Description</translation>
    </message>
    <message>
      <location filename="../../details.py" line="699" />
      <source>处置时间线</source>
      <translation>Timeline</translation>
    </message>
    <message>
      <location filename="../../details.py" line="710" />
      <location filename="../../details.py" line="782" />
      <location filename="../../details.py" line="806" />
      <source>位置</source>
      <translation>Location</translation>
    </message>
    <message>
      <location filename="../../details.py" line="63" />
      <source>事件详情</source>
      <extracomment>The grids a warning names that its panel lists by name; the rest are a count (the map shows them all). The panel's title per kind of record: the record's own name follows in the panel, never its id.</extracomment>
      <translation>Incident details</translation>
    </message>
    <message>
      <location filename="../../details.py" line="64" />
      <location filename="../../details.py" line="71" />
      <source>预警详情</source>
      <extracomment>An alert's panel says which of the three kinds of signal it is.</extracomment>
      <translation>Public warning details</translation>
    </message>
    <message>
      <location filename="../../details.py" line="65" />
      <source>网格详情</source>
      <translation>Grid details</translation>
    </message>
    <message>
      <location filename="../../details.py" line="66" />
      <source>资源详情</source>
      <translation>Resource details</translation>
    </message>
    <message>
      <location filename="../../details.py" line="67" />
      <source>指标详情</source>
      <translation>Indicator details</translation>
    </message>
    <message>
      <location filename="../../details.py" line="68" />
      <source>设备详情</source>
      <translation>Device details</translation>
    </message>
    <message>
      <location filename="../../details.py" line="69" />
      <source>监控视频</source>
      <translation>Cameras</translation>
    </message>
    <message>
      <location filename="../../details.py" line="72" />
      <source>告警详情</source>
      <translation>Alarm details</translation>
    </message>
    <message>
      <location filename="../../details.py" line="73" />
      <source>督办详情</source>
      <translation>Supervision details</translation>
    </message>
    <message>
      <location filename="../../details.py" line="75" />
      <source>事件数</source>
      <extracomment>The indicators a KPI detail can be opened on, in the centres' words (the engine's names are internal keys).</extracomment>
      <translation>Events</translation>
    </message>
    <message>
      <location filename="../../details.py" line="76" />
      <source>处置率</source>
      <translation>Disposal rate</translation>
    </message>
    <message>
      <location filename="../../details.py" line="77" />
      <source>办结率</source>
      <translation>Completion rate</translation>
    </message>
    <message>
      <location filename="../../details.py" line="78" />
      <source>闭环管理率</source>
      <translation>Closed-loop management rate</translation>
    </message>
    <message>
      <location filename="../../details.py" line="79" />
      <source>现场化解率</source>
      <translation>On-the-spot resolution rate</translation>
    </message>
    <message>
      <location filename="../../details.py" line="80" />
      <source>1-10-20达标率</source>
      <translation>1-10-20 compliance</translation>
    </message>
    <message>
      <location filename="../../details.py" line="81" />
      <source>平均受理时长</source>
      <translation>Average acceptance time</translation>
    </message>
    <message>
      <location filename="../../details.py" line="82" />
      <source>平均到场时长</source>
      <translation>Average arrival time</translation>
    </message>
    <message>
      <location filename="../../details.py" line="83" />
      <source>群众满意率</source>
      <translation>Satisfaction rate</translation>
    </message>
    <message>
      <location filename="../../details.py" line="84" />
      <source>化解层级占比</source>
      <translation>Resolution level share</translation>
    </message>
    <message>
      <location filename="../../details.py" line="85" />
      <source>各类别事件数</source>
      <translation>Events per category</translation>
    </message>
    <message>
      <location filename="../../details.py" line="86" />
      <source>各网格事件数</source>
      <translation>Events per grid</translation>
    </message>
    <message>
      <location filename="../../details.py" line="90" />
      <source>上报</source>
      <extracomment>What the timeline calls each stamp of an incident without a timeline of its own.</extracomment>
      <translation>Reported</translation>
    </message>
    <message>
      <location filename="../../details.py" line="91" />
      <source>受理</source>
      <translation>Accepted</translation>
    </message>
    <message>
      <location filename="../../details.py" line="92" />
      <source>派遣</source>
      <translation>Dispatched</translation>
    </message>
    <message>
      <location filename="../../details.py" line="94" />
      <location filename="../../details.py" line="696" />
      <source>初情研判</source>
      <translation>Initial assessment</translation>
    </message>
    <message>
      <location filename="../../details.py" line="95" />
      <source>办结</source>
      <translation>Closed</translation>
    </message>
    <message>
      <location filename="../../details.py" line="96" />
      <source>回访</source>
      <translation>Follow-up visit</translation>
    </message>
    <message>
      <location filename="../../details.py" line="97" />
      <source>确认</source>
      <translation>Acknowledge</translation>
    </message>
    <message>
      <location filename="../../details.py" line="98" />
      <source>搁置</source>
      <translation>Shelve</translation>
    </message>
    <message>
      <location filename="../../details.py" line="99" />
      <source>升级</source>
      <translation>Escalate</translation>
    </message>
    <message>
      <location filename="../../details.py" line="670" />
      <source>{left}（截止 {due}）</source>
      <translation>{left} (due {due})</translation>
    </message>
    <message>
      <location filename="../../details.py" line="720" />
      <source>此信号已不在实时数据中</source>
      <translation>This signal is no longer in the live data</translation>
    </message>
    <message>
      <location filename="../../details.py" line="724" />
      <location filename="../../details.py" line="780" />
      <location filename="../../details.py" line="802" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../details.py" line="726" />
      <source>生效中</source>
      <translation>In force</translation>
    </message>
    <message>
      <location filename="../../details.py" line="726" />
      <source>已失效</source>
      <translation>No longer in force</translation>
    </message>
    <message>
      <location filename="../../details.py" line="727" />
      <source>发布</source>
      <translation>Issued</translation>
    </message>
    <message>
      <location filename="../../details.py" line="728" />
      <source>有效至</source>
      <translation>Valid until</translation>
    </message>
    <message>
      <location filename="../../details.py" line="729" />
      <source>区域</source>
      <translation>Area</translation>
    </message>
    <message>
      <location filename="../../details.py" line="730" />
      <source>发布单位</source>
      <translation>Issued by</translation>
    </message>
    <message>
      <location filename="../../details.py" line="732" />
      <source>内容</source>
      <translation>Content</translation>
    </message>
    <message>
      <location filename="../../details.py" line="735" />
      <source>处置指引</source>
      <translation>Guidance</translation>
    </message>
    <message>
      <location filename="../../details.py" line="739" />
      <source>涉及网格（{n} 个）</source>
      <translation>Grids covered ({n})</translation>
    </message>
    <message>
      <location filename="../../details.py" line="743" />
      <source>另有 {n} 个网格，见地图上的预警区域</source>
      <translation>{n} more grids: see the warning's area on the map</translation>
    </message>
    <message>
      <location filename="../../details.py" line="749" />
      <source>关联</source>
      <translation>Related</translation>
    </message>
    <message>
      <location filename="../../details.py" line="759" />
      <source>处置记录</source>
      <translation>Operator actions</translation>
    </message>
    <message>
      <location filename="../../details.py" line="777" />
      <source>此资源不在实时数据中</source>
      <translation>This resource is not in the live data</translation>
    </message>
    <message>
      <location filename="../../details.py" line="784" />
      <source>数量/阈值</source>
      <translation>Quantity / threshold</translation>
    </message>
    <message>
      <location filename="../../details.py" line="785" />
      <source>电话</source>
      <translation>Phone</translation>
    </message>
    <message>
      <location filename="../../details.py" line="786" />
      <source>更新</source>
      <translation>Updated</translation>
    </message>
    <message>
      <location filename="../../details.py" line="799" />
      <source>此设备不在实时数据中</source>
      <translation>This device is not in the live data</translation>
    </message>
    <message>
      <location filename="../../details.py" line="804" />
      <source>读数</source>
      <translation>Reading</translation>
    </message>
    <message>
      <location filename="../../details.py" line="805" />
      <source>读数时间</source>
      <translation>Read at</translation>
    </message>
    <message>
      <location filename="../../details.py" line="814" />
      <location filename="../../details.py" line="828" />
      <source>近24小时读数</source>
      <translation>Readings, last 24 hours</translation>
    </message>
    <message>
      <location filename="../../details.py" line="841" />
      <source>所属</source>
      <translation>Belongs to</translation>
    </message>
    <message>
      <location filename="../../details.py" line="843" />
      <source>网格长</source>
      <translation>Grid head</translation>
    </message>
    <message>
      <location filename="../../details.py" line="844" />
      <source>户数</source>
      <translation>Households</translation>
    </message>
    <message>
      <location filename="../../details.py" line="847" />
      <source>在办事件（{n}）</source>
      <translation>Open incidents ({n})</translation>
    </message>
    <message>
      <location filename="../../details.py" line="859" />
      <source>今日指标</source>
      <translation>Today's KPIs</translation>
    </message>
    <message>
      <location filename="../../details.py" line="874" />
      <source>数值</source>
      <translation>Value</translation>
    </message>
    <message>
      <location filename="../../details.py" line="876" />
      <source>统计时段</source>
      <translation>Period</translation>
    </message>
    <message>
      <location filename="../../details.py" line="887" />
      <source>相关记录（{n}）</source>
      <translation>Related records ({n})</translation>
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
      <source>后台数据无效</source>
      <translation>Invalid data from the server</translation>
    </message>
    <message>
      <source>告警</source>
      <translation>Alarm</translation>
    </message>
    <message>
      <source>张</source>
      <translation>photos</translation>
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
      <source>至</source>
      <translation>until</translation>
    </message>
  </context>
  <context>
    <name>DetailPanel</name>
    <message>
      <location filename="../../details.py" line="288" />
      <source>✕ 关闭</source>
      <translation>✕ Close</translation>
    </message>
    <message>
      <location filename="../../details.py" line="350" />
      <source>{name}：{value}</source>
      <translation>{name}: {value}</translation>
    </message>
  </context>
  <context>
    <name>DrillBanner</name>
    <message>
      <location filename="../../drill_banner.py" line="28" />
      <source>演练</source>
      <translation>DRILL</translation>
    </message>
    <message>
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <source>发起</source>
      <translation>Started by</translation>
    </message>
    <message>
      <source>待定</source>
      <translation>Pending</translation>
    </message>
    <message>
      <source>演练时钟</source>
      <translation>Drill clock</translation>
    </message>
  </context>
  <context>
    <name>DrillReport</name>
    <message>
      <location filename="../../report.py" line="36" />
      <source>响应启动</source>
      <translation>Response started</translation>
    </message>
    <message>
      <location filename="../../report.py" line="37" />
      <location filename="../../report.py" line="48" />
      <source>到达现场</source>
      <translation>On scene</translation>
    </message>
    <message>
      <location filename="../../report.py" line="38" />
      <source>初情研判</source>
      <translation>Initial assessment</translation>
    </message>
    <message>
      <location filename="../../report.py" line="39" />
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <location filename="../../report.py" line="39" />
      <source>资源</source>
      <translation>Resource</translation>
    </message>
    <message>
      <location filename="../../report.py" line="40" />
      <source>预警</source>
      <translation>Warning</translation>
    </message>
    <message>
      <location filename="../../report.py" line="40" />
      <source>操作</source>
      <translation>Action</translation>
    </message>
    <message>
      <location filename="../../report.py" line="42" />
      <source>上报</source>
      <translation>Reported</translation>
    </message>
    <message>
      <location filename="../../report.py" line="42" />
      <source>受理/响应</source>
      <translation>Accepted / response</translation>
    </message>
    <message>
      <location filename="../../report.py" line="43" />
      <source>派遣</source>
      <translation>Dispatched</translation>
    </message>
    <message>
      <location filename="../../report.py" line="43" />
      <source>处置</source>
      <translation>Handling</translation>
    </message>
    <message>
      <location filename="../../report.py" line="44" />
      <source>办结</source>
      <translation>Closed</translation>
    </message>
    <message>
      <location filename="../../report.py" line="44" />
      <source>回访</source>
      <translation>Follow-up visit</translation>
    </message>
    <message>
      <location filename="../../report.py" line="45" />
      <source>到场</source>
      <translation>Arrival</translation>
    </message>
    <message>
      <location filename="../../report.py" line="45" />
      <source>初情研判完成</source>
      <translation>Initial assessment done</translation>
    </message>
    <message>
      <location filename="../../report.py" line="46" />
      <source>发布</source>
      <translation>Issued</translation>
    </message>
    <message>
      <location filename="../../report.py" line="46" />
      <source>解除</source>
      <translation>Lifted</translation>
    </message>
    <message>
      <location filename="../../report.py" line="47" />
      <source>更新</source>
      <translation>Updated</translation>
    </message>
    <message>
      <location filename="../../report.py" line="47" />
      <source>过期</source>
      <translation>Expired</translation>
    </message>
    <message>
      <location filename="../../report.py" line="48" />
      <source>归队</source>
      <translation>Back at base</translation>
    </message>
    <message>
      <location filename="../../report.py" line="49" />
      <source>停用</source>
      <translation>Out of service</translation>
    </message>
    <message>
      <location filename="../../report.py" line="49" />
      <source>开始演练</source>
      <translation>Drill started</translation>
    </message>
    <message>
      <location filename="../../report.py" line="50" />
      <source>结束演练</source>
      <translation>Drill stopped</translation>
    </message>
    <message>
      <location filename="../../report.py" line="50" />
      <source>确认</source>
      <translation>Acknowledged</translation>
    </message>
    <message>
      <location filename="../../report.py" line="51" />
      <source>搁置</source>
      <translation>Shelved</translation>
    </message>
    <message>
      <location filename="../../report.py" line="51" />
      <source>升级</source>
      <translation>Escalated</translation>
    </message>
    <message>
      <location filename="../../report.py" line="52" />
      <source>推送上墙</source>
      <translation>Pushed to the wall</translation>
    </message>
    <message>
      <location filename="../../report.py" line="56" />
      <source>严格落实24小时值班值守，接报后1分钟内启动响应；精简接警、受理环节，定期开展接处警演练。</source>
      <extracomment>What a centre does about a stage that missed its time (the 整改建议 of an after-action report).</extracomment>
      <translation>Keep the 24-hour duty watch strictly and start the response within 1 minute of a report; streamline call taking and acceptance, and drill call handling regularly.</translation>
    </message>
    <message>
      <location filename="../../report.py" line="57" />
      <source>优化应急力量预置和派遣规则，就近调度；核查队伍、车辆备勤状态和出动路线，确保10分钟内到达现场。</source>
      <translation>Improve where response forces are pre-positioned and how they are dispatched (nearest first); check the readiness and routes of teams and vehicles so that they reach the scene within 10 minutes.</translation>
    </message>
    <message>
      <location filename="../../report.py" line="58" />
      <source>完善初情研判流程和信息报送机制，明确现场指挥员研判职责，20分钟内完成初情研判并上报指挥中心。</source>
      <translation>Improve the initial-assessment procedure and the reporting chain; make the on-scene commander responsible for the assessment, completed and reported to the command center within 20 minutes.</translation>
    </message>
    <message>
      <source>{title}：{stage}用时 {used}，超出时限 {limit}。{why}</source>
      <translation>{title}: {stage} took {used}, beyond its limit of {limit}. {why}</translation>
    </message>
    <message>
      <source>{what}：{note}</source>
      <translation>{what}: {note}</translation>
    </message>
    <message>
      <source>、</source>
      <translation>, </translation>
    </message>
    <message>
      <source>【演练】{name}</source>
      <translation>[DRILL] {name}</translation>
    </message>
    <message>
      <source>一、演练概况</source>
      <translation>1. Overview</translation>
    </message>
    <message>
      <source>七、存在问题</source>
      <translation>7. Problems found</translation>
    </message>
    <message>
      <source>三、各阶段用时与目标</source>
      <translation>3. Timings against targets</translation>
    </message>
    <message>
      <source>二、参演单位</source>
      <translation>2. Participating units</translation>
    </message>
    <message>
      <source>五、预警发布</source>
      <translation>5. Warnings issued</translation>
    </message>
    <message>
      <source>人员</source>
      <translation>Person</translation>
    </message>
    <message>
      <source>保持现有响应水平，结合季节性风险适时组织更复杂场景的演练。</source>
      <translation>Keep the present level of response, and drill more complex scenarios as the season's risks come.</translation>
    </message>
    <message>
      <source>八、整改建议</source>
      <translation>8. Recommendations</translation>
    </message>
    <message>
      <source>六、评估结论</source>
      <translation>6. Evaluation</translation>
    </message>
    <message>
      <source>其他力量</source>
      <translation>other forces</translation>
    </message>
    <message>
      <source>动作</source>
      <translation>What</translation>
    </message>
    <message>
      <source>区域</source>
      <translation>Area</translation>
    </message>
    <message>
      <source>原因</source>
      <translation>Reason</translation>
    </message>
    <message>
      <source>各阶段均在时限内完成，未发现超时问题。</source>
      <translation>Every stage was completed within its limit; no delays were found.</translation>
    </message>
    <message>
      <source>各阶段用时（条）与时限：红线 = 1-10-20，紫线 = 演练目标</source>
      <translation>Time per stage (bars) and limits: red line = 1-10-20, purple line = the drill's target</translation>
    </message>
    <message>
      <source>命令行操作（未签到）</source>
      <translation>Command line (no duty sign-in)</translation>
    </message>
    <message>
      <source>响应 ≤ {r}，到场 ≤ {a}，初情研判 ≤ {s}（1-10-20：1:00、10:00、20:00）</source>
      <translation>response ≤ {r}, on scene ≤ {a}, initial assessment ≤ {s} (1-10-20: 1:00, 10:00, 20:00)</translation>
    </message>
    <message>
      <source>四、资源调度</source>
      <translation>4. Resources dispatched</translation>
    </message>
    <message>
      <source>审批人（签字）</source>
      <translation>Approved by (signature)</translation>
    </message>
    <message>
      <source>审批意见</source>
      <translation>Approval remarks</translation>
    </message>
    <message>
      <source>审批意见与签字</source>
      <translation>Approval and signatures</translation>
    </message>
    <message>
      <source>审核人（签字）</source>
      <translation>Reviewed by (signature)</translation>
    </message>
    <message>
      <source>对上述问题明确责任单位和整改时限，整改完成后组织复演验证。</source>
      <translation>Name a responsible unit and a deadline for each problem above, and repeat the drill once they are fixed.</translation>
    </message>
    <message>
      <source>对象</source>
      <translation>Subject</translation>
    </message>
    <message>
      <source>年　月　日</source>
      <translation>____ / __ / __</translation>
    </message>
    <message>
      <source>应急力量（{kind}）</source>
      <translation>Response forces ({kind})</translation>
    </message>
    <message>
      <source>开始原因</source>
      <translation>Reason for starting</translation>
    </message>
    <message>
      <source>开始时间</source>
      <translation>Started</translation>
    </message>
    <message>
      <source>待定</source>
      <translation>Pending</translation>
    </message>
    <message>
      <source>总体评价</source>
      <translation>Overall result</translation>
    </message>
    <message>
      <source>指挥中心值班人员</source>
      <translation>Command center duty staff</translation>
    </message>
    <message>
      <source>无</source>
      <translation>None</translation>
    </message>
    <message>
      <source>日期</source>
      <translation>Date</translation>
    </message>
    <message>
      <source>时间</source>
      <translation>Time</translation>
    </message>
    <message>
      <source>是否达标（1-10-20）</source>
      <translation>Met (1-10-20)</translation>
    </message>
    <message>
      <source>是否达标（目标）</source>
      <translation>Met (target)</translation>
    </message>
    <message>
      <source>未完成</source>
      <translation>not done</translation>
    </message>
    <message>
      <source>未达到</source>
      <translation>not reached</translation>
    </message>
    <message>
      <source>未达标</source>
      <translation>Missed</translation>
    </message>
    <message>
      <source>本次演练处置突发事件 {n} 起，共 {k} 个响应阶段：{t} 个达到演练目标，{r} 个符合1-10-20要求。</source>
      <translation>The drill handled {n} emergencies with {k} response stages: {t} met the drill's targets and {r} met 1-10-20.</translation>
    </message>
    <message>
      <source>本次演练没有突发事件</source>
      <translation>No emergencies in this drill</translation>
    </message>
    <message>
      <source>本次演练没有突发事件，未对1-10-20进行评估。</source>
      <translation>This drill had no emergencies; 1-10-20 was not evaluated.</translation>
    </message>
    <message>
      <source>派出</source>
      <translation>Dispatched</translation>
    </message>
    <message>
      <source>派出用时（自上报）</source>
      <translation>Dispatched after report</translation>
    </message>
    <message>
      <source>演练内容</source>
      <translation>Scenario</translation>
    </message>
    <message>
      <source>演练名称</source>
      <translation>Drill</translation>
    </message>
    <message>
      <source>演练在部分阶段时限前结束</source>
      <translation>the drill ended before every stage was due</translation>
    </message>
    <message>
      <source>演练数据不计入真实统计；原始时间线见同名 CSV 文件。</source>
      <translation>Drill records never count in the real statistics; the raw timeline is in the CSV file of the same name.</translation>
    </message>
    <message>
      <source>演练日期</source>
      <translation>Drill date</translation>
    </message>
    <message>
      <source>演练时钟</source>
      <translation>Drill clock</translation>
    </message>
    <message>
      <source>演练时长</source>
      <translation>Duration</translation>
    </message>
    <message>
      <source>演练目标</source>
      <translation>Targets</translation>
    </message>
    <message>
      <source>演练组织单位（盖章）</source>
      <translation>Organising unit (seal)</translation>
    </message>
    <message>
      <source>演练结束时未到时限</source>
      <translation>the drill ended before the limit</translation>
    </message>
    <message>
      <source>演练规模</source>
      <translation>Scale</translation>
    </message>
    <message>
      <source>演练评估报告</source>
      <translation>After-action report</translation>
    </message>
    <message>
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <source>现场处置人员</source>
      <translation>Responders on scene</translation>
    </message>
    <message>
      <source>生成于</source>
      <translation>Generated</translation>
    </message>
    <message>
      <source>用时</source>
      <translation>Time taken</translation>
    </message>
    <message>
      <source>突发事件 {n} 起，预警 {w} 条，调度力量 {r} 支（辆）</source>
      <translation>{n} emergencies, {w} warnings, {r} teams or vehicles dispatched</translation>
    </message>
    <message>
      <source>类别</source>
      <translation>Kind</translation>
    </message>
    <message>
      <source>类型</source>
      <translation>Kind</translation>
    </message>
    <message>
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <source>结束原因</source>
      <translation>Reason for stopping</translation>
    </message>
    <message>
      <source>结束时间</source>
      <translation>Stopped</translation>
    </message>
    <message>
      <source>联动部门</source>
      <translation>Departments called in</translation>
    </message>
    <message>
      <source>脚本结束后自动结束</source>
      <translation>ended by itself when the scenario had played out</translation>
    </message>
    <message>
      <source>至演练结束未完成，已用 {used}，超出 {over}</source>
      <translation>not done when the drill ended: {used} taken, {over} over the limit</translation>
    </message>
    <message>
      <source>评估人（签字）</source>
      <translation>Evaluated by (signature)</translation>
    </message>
    <message>
      <source>说明</source>
      <translation>Details</translation>
    </message>
    <message>
      <source>资源调度时间线（演练时钟）：黄 = 已派出，橙 = 在现场</source>
      <translation>Resources over the drill clock: yellow = dispatched, orange = on scene</translation>
    </message>
    <message>
      <source>超时 {over}</source>
      <translation>{over} late</translation>
    </message>
    <message>
      <source>达标</source>
      <translation>Met</translation>
    </message>
    <message>
      <source>阶段</source>
      <translation>Stage</translation>
    </message>
    <message>
      <source>附件一、操作记录</source>
      <translation>Annex 1. Operator actions</translation>
    </message>
    <message>
      <source>附件二、完整时间线</source>
      <translation>Annex 2. Full timeline</translation>
    </message>
  </context>
  <context>
    <name>DrillTile</name>
    <message>
      <location filename="../../tiles/drill.py" line="38" />
      <source>计时 {elapsed} / {target}</source>
      <translation>running {elapsed} / {target}</translation>
    </message>
    <message>
      <location filename="../../tiles/drill.py" line="44" />
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <location filename="../../tiles/drill.py" line="44" />
      <source>响应 (1)</source>
      <translation>Response (1)</translation>
    </message>
    <message>
      <location filename="../../tiles/drill.py" line="45" />
      <source>到场 (10)</source>
      <translation>On scene (10)</translation>
    </message>
    <message>
      <location filename="../../tiles/drill.py" line="45" />
      <source>初情研判 (20)</source>
      <translation>Initial assessment (20)</translation>
    </message>
    <message>
      <location filename="../../tiles/drill.py" line="46" />
      <source>派遣资源</source>
      <translation>Resources dispatched</translation>
    </message>
    <message>
      <location filename="../../tiles/drill.py" line="49" />
      <source>演练 · 实时评分</source>
      <translation>Drill · live scoring</translation>
    </message>
    <message>
      <location filename="../../tiles/drill.py" line="72" />
      <source>演练功能未启用</source>
      <translation>Drills are not enabled</translation>
    </message>
    <message>
      <location filename="../../tiles/drill.py" line="77" />
      <source>当前无演练</source>
      <translation>No drill running</translation>
    </message>
    <message>
      <source>上次演练</source>
      <translation>last drill</translation>
    </message>
    <message>
      <source>已结束</source>
      <translation>Finished</translation>
    </message>
    <message>
      <source>待定</source>
      <translation>Pending</translation>
    </message>
    <message>
      <source>演练时钟</source>
      <translation>Drill clock</translation>
    </message>
    <message>
      <source>进行中</source>
      <translation>Running</translation>
    </message>
  </context>
  <context>
    <name>Duty</name>
    <message>
      <location filename="../../pages.py" line="264" />
      <source>值班：{names}</source>
      <translation>On duty: {names}</translation>
    </message>
  </context>
  <context>
    <name>ExitPrompt</name>
    <message>
      <location filename="../../kiosk.py" line="167" />
      <source>退出大屏：输入 quit 并按回车（Esc 取消）</source>
      <translation>Leave the wall: type quit and press Enter (Esc cancels)</translation>
    </message>
  </context>
  <context>
    <name>FeedHealthBar</name>
    <message>
      <location filename="../../wall.py" line="31" />
      <source>业务平台</source>
      <translation>City platform</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="32" />
      <source>市民诉求</source>
      <translation>Citizen requests</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="33" />
      <source>预警发布</source>
      <translation>Public warnings</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="34" />
      <location filename="../../wall.py" line="35" />
      <source>网格底图</source>
      <translation>Grid map</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="36" />
      <source>物联感知</source>
      <translation>IoT sensors</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="37" />
      <source>视频监控</source>
      <translation>Cameras</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="46" />
      <source>{kind}（{name}）</source>
      <translation>{kind} ({name})</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="57" />
      <source>后端时钟偏差 {s} 秒（慢于本机）</source>
      <translation>Backend clock {s} s behind this machine</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="59" />
      <source>后端时钟偏差 {s} 秒（快于本机）</source>
      <translation>Backend clock {s} s ahead of this machine</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="138" />
      <source>重启 {n} 次</source>
      <translation>restarted {n}×</translation>
    </message>
    <message>
      <location filename="../../wall.py" line="142" />
      <source>上次退出码 {code}</source>
      <translation>Last exit status {code}</translation>
    </message>
    <message>
      <source>记录进程</source>
      <translation>Recorder</translation>
    </message>
  </context>
  <context>
    <name>HelpOverlay</name>
    <message>
      <location filename="../../console/window.py" line="83" />
      <source>键盘快捷键</source>
      <extracomment>How the console names a record of each kind it pushes (None: the record is no longer in the live data).</extracomment>
      <translation>Keyboard shortcuts</translation>
    </message>
  </context>
  <context>
    <name>IncidentSearchModel</name>
    <message>
      <location filename="../../console/models.py" line="83" />
      <source>编号</source>
      <translation>ID</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="84" />
      <source>标题</source>
      <translation>Title</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="85" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="86" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="87" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../console/models.py" line="88" />
      <source>上报时间</source>
      <translation>Reported at</translation>
    </message>
  </context>
  <context>
    <name>IncidentTableModel</name>
    <message>
      <location filename="../../models/incidents.py" line="100" />
      <source>时限</source>
      <translation>Deadline</translation>
    </message>
    <message>
      <location filename="../../models/incidents.py" line="100" />
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <location filename="../../models/incidents.py" line="101" />
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <location filename="../../models/incidents.py" line="101" />
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <location filename="../../models/incidents.py" line="102" />
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <location filename="../../models/incidents.py" line="102" />
      <source>来源</source>
      <translation>Source</translation>
    </message>
    <message>
      <location filename="../../models/incidents.py" line="103" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../models/incidents.py" line="103" />
      <source>上报</source>
      <translation>Reported at</translation>
    </message>
  </context>
  <context>
    <name>IncidentTile</name>
    <message>
      <location filename="../../tiles/incidents.py" line="43" />
      <source>事件实时动态</source>
      <extracomment>the count under the table changes at most this often (ms): at 200 events/s it changed on every flush, ~20 a second, and the label is not opaque, so each change repainted the tile, the page and the window under it</extracomment>
      <translation>Live incidents</translation>
    </message>
    <message>
      <location filename="../../tiles/incidents.py" line="109" />
      <source>只看突发事件 · 另有 {n} 起未显示 · 点此返回全部</source>
      <translation>Emergencies only · {n} more not shown · tap for all incidents</translation>
    </message>
    <message>
      <location filename="../../tiles/incidents.py" line="110" />
      <source>只看突发事件 · 点此返回全部</source>
      <translation>Emergencies only · tap for all incidents</translation>
    </message>
    <message>
      <location filename="../../tiles/incidents.py" line="112" />
      <source>另有 {n} 起突发事件未显示 · 点此查看</source>
      <translation>Emergencies not shown: {n} · tap to list them</translation>
    </message>
    <message numerus="yes">
      <location filename="../../tiles/incidents.py" line="141" />
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
      <location filename="../../models/kpis.py" line="57" />
      <source>事件数</source>
      <extracomment>Every indicator of domain/kpis.py as a card; a tile shows `DEFAULT_CARDS` unless its config names others.</extracomment>
      <translation>Events</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="58" />
      <source>办结率</source>
      <translation>Completion rate</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="59" />
      <source>按期办结率</source>
      <translation>On-time completion</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="60" />
      <source>超期件数</source>
      <translation>Overdue</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="61" />
      <source>处置率</source>
      <translation>Disposal rate</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="62" />
      <source>闭环管理率</source>
      <translation>Closed-loop management rate</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="63" />
      <source>矛盾纠纷现场化解率</source>
      <translation>Disputes resolved on the spot</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="64" />
      <source>矛盾纠纷基层化解率</source>
      <translation>Disputes resolved in grid or community</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="65" />
      <source>110分流平均受理时长</source>
      <translation>Avg. acceptance (diverted 110 calls)</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="66" />
      <source>110分流平均到场时长</source>
      <translation>Avg. arrival (diverted 110 calls)</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="67" />
      <source>群众满意率</source>
      <translation>Satisfaction rate</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="68" />
      <source>1-10-20达标率</source>
      <translation>1-10-20 compliance</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="69" />
      <source>突发事件</source>
      <translation>Emergencies</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="70" />
      <source>初信初访</source>
      <translation>First-time petitions</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="71" />
      <source>吹哨报到</source>
      <translation>Departments called in (whistle)</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="72" />
      <source>部门报到时长</source>
      <translation>Departments' response time</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="73" />
      <source>转办时间</source>
      <translation>Hand-over time</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="74" />
      <source>处置时长</source>
      <translation>Handling time</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="75" />
      <source>12345接诉即办</source>
      <translation>12345 hotline items</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="76" />
      <source>非警务警情分流</source>
      <translation>Diverted non-police calls</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="87" />
      <source>分钟</source>
      <extracomment>Below the target by at most this (percentage points for rates, share of the target for times): amber.</extracomment>
      <translation>min</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="87" />
      <source>小时</source>
      <translation>h</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="88" />
      <source>件</source>
      <translation>items</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="89" />
      <source>今日</source>
      <translation>Today</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="89" />
      <source>本月</source>
      <translation>This month</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="90" />
      <source>今年以来</source>
      <translation>Year to date</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="91" />
      <source>较昨日同期</source>
      <translation>vs. yesterday, same hours</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="91" />
      <source>较上月同期</source>
      <translation>vs. last month, same days</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="92" />
      <source>较去年同期</source>
      <translation>vs. last year, same period</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="97" />
      <source>近24小时</source>
      <extracomment>The rolling windows a card widens to, in order, when its period holds too small a sample for its figure to mean anything (domain.kpis min_sample): a city's 110 calls at 03:00, a street's disputes of one day, 00:05.</extracomment>
      <translation>Last 24 h</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="97" />
      <source>近30天</source>
      <translation>Last 30 days</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="98" />
      <source>近一年</source>
      <translation>Last 12 months</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="100" />
      <source>较前24小时</source>
      <translation>vs. the 24 h before</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="100" />
      <source>较前30天</source>
      <translation>vs. the 30 days before</translation>
    </message>
    <message>
      <location filename="../../models/kpis.py" line="101" />
      <source>较前一年</source>
      <translation>vs. the 12 months before</translation>
    </message>
    <message>
      <location filename="../../tiles/kpis.py" line="135" />
      <source>当前</source>
      <extracomment>Up to this many cards in one row; more go on two rows. The day's key figures on a headline strip (a KPI tile with `headline = true`) unless its config names others.</extracomment>
      <translation>Now</translation>
    </message>
    <message>
      <source>{met}/{n} 起达标</source>
      <translation>{met} of {n} met</translation>
    </message>
    <message>
      <source>个百分点</source>
      <translation> pts</translation>
    </message>
    <message>
      <source>数据不足</source>
      <translation>Not enough data</translation>
    </message>
    <message>
      <source>数据不足（样本 {n}）</source>
      <translation>Not enough data (n={n})</translation>
    </message>
    <message>
      <source>无突发事件</source>
      <translation>No emergencies</translation>
    </message>
    <message>
      <source>目标</source>
      <translation>Target</translation>
    </message>
  </context>
  <context>
    <name>KpiTile</name>
    <message>
      <location filename="../../tiles/kpis.py" line="293" />
      <source>运行指标</source>
      <translation>KPIs</translation>
    </message>
    <message>
      <location filename="../../tiles/kpis.py" line="293" />
      <source>今日要情</source>
      <extracomment>Past records (updated over an hour before now) arriving after the last refresh that make the figures stale at once: a backend's history, when a wall connects; live updates wait for the next refresh.</extracomment>
      <translation>Today at a glance</translation>
    </message>
    <message>
      <location filename="../../tiles/kpis.py" line="331" />
      <source>每小时事件数  ━ 今日  ┅ 昨日</source>
      <extracomment>a headline strip: the cards' names, figures and gauges in one row, no charts (the same KPI path)</extracomment>
      <translation>Events per hour  ━ today  ┅ yesterday</translation>
    </message>
    <message>
      <location filename="../../tiles/kpis.py" line="335" />
      <source>办结率（当日累计，%）</source>
      <translation>Completion rate (today, cumulative, %)</translation>
    </message>
    <message>
      <location filename="../../tiles/kpis.py" line="338" />
      <source>化解层级占比</source>
      <translation>Resolution level share</translation>
    </message>
    <message>
      <location filename="../../tiles/kpis.py" line="342" />
      <source>类别排行</source>
      <translation>Top categories</translation>
    </message>
    <message>
      <location filename="../../tiles/kpis.py" line="343" />
      <source>网格排行（前8）</source>
      <translation>Top grids (8)</translation>
    </message>
    <message>
      <location filename="../../tiles/kpis.py" line="399" />
      <source>全域</source>
      <translation>Whole territory</translation>
    </message>
    <message>
      <location filename="../../tiles/kpis.py" line="421" />
      <source>未知网格</source>
      <translation>Unknown grid</translation>
    </message>
    <message>
      <source>初情研判</source>
      <translation>Initial assessment</translation>
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
      <location filename="../../details.py" line="140" />
      <source>打开链接</source>
      <translation>Open link</translation>
    </message>
    <message>
      <location filename="../../details.py" line="141" />
      <source>在浏览器中打开以下链接？</source>
      <translation>Open this link in the browser?</translation>
    </message>
    <message>
      <location filename="../../details.py" line="144" />
      <source>打开</source>
      <translation>Open</translation>
    </message>
    <message>
      <location filename="../../details.py" line="145" />
      <source>取消</source>
      <translation>Cancel</translation>
    </message>
  </context>
  <context>
    <name>MapLegend</name>
    <message>
      <location filename="../../map/legend.py" line="169" />
      <source>每网格在办事件数</source>
      <extracomment>a layer's rows in the key, as they are now (GridMap.add_legend_source) rows flow into this many columns (the key under a map in a tall tile: wide and short)</extracomment>
      <translation>Open events / grid</translation>
    </message>
    <message>
      <location filename="../../map/legend.py" line="171" />
      <source>{n} 个网格</source>
      <translation>{n} grids</translation>
    </message>
    <message>
      <location filename="../../map/legend.py" line="173" />
      <source>事件标记（{shown} / {total}）</source>
      <translation>Incidents ({shown} of {total})</translation>
    </message>
    <message>
      <location filename="../../map/legend.py" line="174" />
      <source>事件标记（{n}）</source>
      <translation>Incidents ({n})</translation>
    </message>
    <message>
      <location filename="../../map/legend.py" line="177" />
      <source>演练（虚线框）</source>
      <translation>Drill (outlined)</translation>
    </message>
    <message>
      <location filename="../../map/legend.py" line="178" />
      <source>应急资源</source>
      <translation>Emergency resources</translation>
    </message>
    <message>
      <location filename="../../map/legend.py" line="183" />
      <source>预警（{n}）</source>
      <translation>Public warnings ({n})</translation>
    </message>
  </context>
  <context>
    <name>MapTile</name>
    <message>
      <location filename="../../tiles/map.py" line="140" />
      <source>网格地图</source>
      <extracomment>a change with more incidents than this is appended to the marker ranking's groups, sorted when next needed a group's order: oldest report first (the markers take groups from their end), the id breaking ties</extracomment>
      <translation>Grid map</translation>
    </message>
  </context>
  <context>
    <name>PendingTile</name>
    <message>
      <location filename="../../pages.py" line="75" />
      <source>读取中…</source>
      <translation>Loading…</translation>
    </message>
  </context>
  <context>
    <name>PlaceholderTile</name>
    <message>
      <location filename="../../pages.py" line="32" />
      <source>图块不可用：{kind}</source>
      <translation>Tile not available: {kind}</translation>
    </message>
  </context>
  <context>
    <name>ReplayBanner</name>
    <message>
      <location filename="../../replay_bar.py" line="40" />
      <source>回放</source>
      <translation>REPLAY</translation>
    </message>
    <message>
      <location filename="../../replay_bar.py" line="62" />
      <source>回到实时</source>
      <translation>Back to live</translation>
    </message>
    <message>
      <location filename="../../replay_bar.py" line="82" />
      <source>‖ 暂停</source>
      <translation>‖ paused</translation>
    </message>
    <message>
      <location filename="../../replay_bar.py" line="111" />
      <source>红色预警 {title}</source>
      <translation>Red warning {title}</translation>
    </message>
    <message>
      <location filename="../../replay_bar.py" line="113" />
      <source>应急事件超时 {title}</source>
      <translation>Emergency overdue {title}</translation>
    </message>
    <message>
      <location filename="../../replay_bar.py" line="116" />
      <source>实时：{what}</source>
      <translation>LIVE: {what}</translation>
    </message>
  </context>
  <context>
    <name>ReplayBar</name>
    <message>
      <location filename="../../replay_bar.py" line="135" />
      <source>回到实时</source>
      <translation>Back to live</translation>
    </message>
    <message>
      <location filename="../../replay_bar.py" line="185" />
      <source>实时</source>
      <translation>Live</translation>
    </message>
  </context>
  <context>
    <name>ResourceTableModel</name>
    <message>
      <location filename="../../models/resources.py" line="26" />
      <source>⚠ 低于阈值</source>
      <translation>⚠ below threshold</translation>
    </message>
    <message>
      <location filename="../../models/resources.py" line="54" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../models/resources.py" line="54" />
      <source>名称</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="../../models/resources.py" line="55" />
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <location filename="../../models/resources.py" line="55" />
      <source>位置</source>
      <translation>Location</translation>
    </message>
    <message>
      <location filename="../../models/resources.py" line="56" />
      <source>数量/阈值</source>
      <translation>Quantity / threshold</translation>
    </message>
    <message>
      <location filename="../../models/resources.py" line="94" />
      <source>驻地</source>
      <translation>At base</translation>
    </message>
  </context>
  <context>
    <name>ResourceTile</name>
    <message>
      <location filename="../../tiles/resources.py" line="22" />
      <source>应急资源</source>
      <translation>Emergency resources</translation>
    </message>
    <message>
      <location filename="../../tiles/resources.py" line="80" />
      <source>{low}：{n} 项（{names}）</source>
      <translation>{low}: {n} ({names})</translation>
    </message>
  </context>
  <context>
    <name>SensorLabels</name>
    <message>
      <location filename="../../tiles/sensors.py" line="32" />
      <source>积水水位</source>
      <translation>Water level</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="33" />
      <source>井盖</source>
      <translation>Manhole cover</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="34" />
      <source>烟感</source>
      <translation>Smoke</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="35" />
      <source>配电箱温度</source>
      <translation>Box temperature</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="36" />
      <source>燃气</source>
      <translation>Gas</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="37" />
      <source>智慧灯杆</source>
      <translation>Lamp pole</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="40" />
      <source>正常</source>
      <translation>Normal</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="41" />
      <source>告警</source>
      <translation>Alarm</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="42" />
      <source>离线</source>
      <translation>Offline</translation>
    </message>
  </context>
  <context>
    <name>SensorLayer</name>
    <message>
      <location filename="../../map/sensors.py" line="39" />
      <source>城市感知设备</source>
      <extracomment>(status, level) groups in drawing order, each with its colour and size in px (times the map's marker scale) a click this many pixels beyond a dot's edge still takes it (a few-pixel dot on a wall is hard to hit) the key's words (context "SensorLayer"): its title and a row per status</extracomment>
      <translation>City sensors</translation>
    </message>
    <message>
      <location filename="../../map/sensors.py" line="41" />
      <source>正常</source>
      <translation>Normal</translation>
    </message>
    <message>
      <location filename="../../map/sensors.py" line="42" />
      <source>告警（按级别着色）</source>
      <translation>Alarm (coloured by level)</translation>
    </message>
    <message>
      <location filename="../../map/sensors.py" line="43" />
      <source>离线</source>
      <translation>Offline</translation>
    </message>
  </context>
  <context>
    <name>SensorsTile</name>
    <message>
      <location filename="../../tiles/sensors.py" line="248" />
      <source>类型</source>
      <translation>Type</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="248" />
      <source>总数</source>
      <translation>Total</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="249" />
      <source>正常</source>
      <translation>Normal</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="249" />
      <source>告警</source>
      <translation>Alarm</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="250" />
      <source>离线</source>
      <translation>Offline</translation>
    </message>
    <message>
      <location filename="../../tiles/sensors.py" line="254" />
      <source>城市生命线 · 物联感知</source>
      <translation>Urban lifeline · sensors</translation>
    </message>
  </context>
  <context>
    <name>SignIn</name>
    <message>
      <location filename="../../console/confirm.py" line="105" />
      <source>值班签到</source>
      <translation>Duty sign-in</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="110" />
      <source>席位，如 1号席</source>
      <translation>Seat, e.g. Desk 1</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="111" />
      <source>签到</source>
      <translation>Sign in</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="112" />
      <source>未签到：操作前请先签到</source>
      <translation>Not signed in: sign in before acting</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="113" />
      <source>值班人员</source>
      <translation>On duty</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="115" />
      <source>席位</source>
      <translation>Seat</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="136" />
      <source>姓名</source>
      <translation>Name</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="148" />
      <source>签到需要姓名和席位</source>
      <translation>Signing in needs a name and a seat</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="151" />
      <source>{name} 不在值班表中</source>
      <translation>{name} is not on the duty roster</translation>
    </message>
    <message>
      <location filename="../../console/confirm.py" line="160" />
      <source>已签到：{name} · {seat}</source>
      <translation>Signed in: {name} · {seat}</translation>
    </message>
  </context>
  <context>
    <name>VideoTile</name>
    <message>
      <location filename="../../tiles/video.py" line="33" />
      <source>视频监控</source>
      <translation>Video</translation>
    </message>
    <message>
      <source>预案</source>
      <translation>Preset</translation>
    </message>
  </context>
  <context>
    <name>WallApp</name>
    <message>
      <location filename="../../app.py" line="273" />
      <source>数据存储</source>
      <translation>Store</translation>
    </message>
    <message>
      <location filename="../../app.py" line="950" />
      <source>总览</source>
      <translation>Overview</translation>
    </message>
  </context>
  <context>
    <name>WallHeader</name>
    <message>
      <location filename="../../wall.py" line="166" />
      <source>{title}（演示附加事件 +{rate}/秒）</source>
      <translation>{title} (demo: +{rate} extra events/s)</translation>
    </message>
  </context>
  <context>
    <name>AlertBoard</name>
    <message>
      <source>‖ 搁置至 {time}</source>
      <translation>‖ shelved until {time}</translation>
    </message>
    <message>
      <source>⇪ 已升级</source>
      <translation>⇪ escalated</translation>
    </message>
    <message>
      <source>● 未确认</source>
      <translation>● unacknowledged</translation>
    </message>
    <message>
      <source>✓ 已确认</source>
      <translation>✓ acknowledged</translation>
    </message>
  </context>
  <context>
    <name>DailyReport</name>
    <message>
      <source>1-10-20</source>
      <translation>1-10-20</translation>
    </message>
    <message>
      <source>1-10-20：1分钟内启动响应，10分钟内到达现场，20分钟内完成初情研判。</source>
      <translation>1-10-20: response started within 1 minute, on scene within 10, first assessment within 20.</translation>
    </message>
    <message>
      <source>一、当日指标与目标</source>
      <translation>1. The day's figures against targets</translation>
    </message>
    <message>
      <source>三、超期工作（督办）</source>
      <translation>3. Overdue work (supervision)</translation>
    </message>
    <message>
      <source>上报时间</source>
      <translation>Reported at</translation>
    </message>
    <message>
      <source>事件</source>
      <translation>Incident</translation>
    </message>
    <message>
      <source>二、今年以来</source>
      <translation>2. Year to date</translation>
    </message>
    <message>
      <source>五、突发事件与1-10-20</source>
      <translation>5. Emergencies and 1-10-20</translation>
    </message>
    <message>
      <source>今年以来</source>
      <translation>Year to date</translation>
    </message>
    <message>
      <source>件</source>
      <translation>items</translation>
    </message>
    <message>
      <source>值班员交接班时签字确认</source>
      <translation>Duty officers sign at the shift change</translation>
    </message>
    <message>
      <source>全域</source>
      <translation>Whole territory</translation>
    </message>
    <message>
      <source>列出超期最久的</source>
      <translation>listed, longest overdue first:</translation>
    </message>
    <message>
      <source>初情研判</source>
      <translation>Initial assessment</translation>
    </message>
    <message>
      <source>到场</source>
      <translation>Arrival</translation>
    </message>
    <message>
      <source>办结时限</source>
      <translation>Deadline</translation>
    </message>
    <message>
      <source>办结率、按期办结率、处置率按当日到期的工作计；闭环管理率按当日到期的回访计；数据不足表示样本过少。</source>
      <translation>Completion, on-time completion and disposal count the work due that day; the closed-loop rate counts the follow-up visits due that day; "Not enough data" means too small a sample.</translation>
    </message>
    <message>
      <source>区域</source>
      <translation>Area</translation>
    </message>
    <message>
      <source>发布</source>
      <translation>Issued</translation>
    </message>
    <message>
      <source>响应</source>
      <translation>Response</translation>
    </message>
    <message>
      <source>四、预警、告警与督办</source>
      <translation>4. Warnings, device alarms and supervision</translation>
    </message>
    <message>
      <source>天</source>
      <translation>days</translation>
    </message>
    <message>
      <source>小时</source>
      <translation>h</translation>
    </message>
    <message>
      <source>已超期</source>
      <translation>Overdue by</translation>
    </message>
    <message>
      <source>当日</source>
      <translation>The day</translation>
    </message>
    <message>
      <source>当日生效的预警</source>
      <translation>Warnings in force that day</translation>
    </message>
    <message>
      <source>指标</source>
      <translation>Indicator</translation>
    </message>
    <message>
      <source>无</source>
      <translation>None</translation>
    </message>
    <message>
      <source>是否达标</source>
      <translation>Target met</translation>
    </message>
    <message>
      <source>有效至</source>
      <translation>Valid until</translation>
    </message>
    <message>
      <source>未知网格</source>
      <translation>Unknown grid</translation>
    </message>
    <message>
      <source>未达标</source>
      <translation>Missed</translation>
    </message>
    <message>
      <source>样本</source>
      <translation>Sample</translation>
    </message>
    <message>
      <source>演练数据不计入统计</source>
      <translation>drill records are not counted</translation>
    </message>
    <message>
      <source>状态</source>
      <translation>Status</translation>
    </message>
    <message>
      <source>生成于</source>
      <translation>generated</translation>
    </message>
    <message>
      <source>目标</source>
      <translation>Target</translation>
    </message>
    <message>
      <source>突发事件</source>
      <translation>Emergencies</translation>
    </message>
    <message>
      <source>类别</source>
      <translation>Category</translation>
    </message>
    <message>
      <source>级别</source>
      <translation>Level</translation>
    </message>
    <message>
      <source>统计截至</source>
      <translation>Figures as of</translation>
    </message>
    <message>
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <source>设备告警</source>
      <translation>Device alarms</translation>
    </message>
    <message>
      <source>超期未办结</source>
      <translation>Open past the deadline</translation>
    </message>
    <message>
      <source>超期督办</source>
      <translation>Overdue supervision</translation>
    </message>
    <message>
      <source>较前一日同期</source>
      <translation>vs. the day before, same hours</translation>
    </message>
    <message>
      <source>较去年同期</source>
      <translation>vs. last year, same period</translation>
    </message>
    <message>
      <source>达标</source>
      <translation>Met</translation>
    </message>
    <message>
      <source>运行日报</source>
      <translation>Daily operations report</translation>
    </message>
    <message>
      <source>进行中</source>
      <translation>Running</translation>
    </message>
    <message>
      <source>预警</source>
      <translation>Warning</translation>
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
    <name>format</name>
    <message>
      <source>{d} 天</source>
      <translation>{d} days</translation>
    </message>
    <message>
      <source>{h} 小时</source>
      <translation>{h} h</translation>
    </message>
  </context>
  <context>
    <name>labels</name>
    <message>
      <source>110分流</source>
      <translation>Diverted 110</translation>
    </message>
    <message>
      <source>12345热线</source>
      <translation>12345 hotline</translation>
    </message>
    <message>
      <source>Open311</source>
      <translation>Open311</translation>
    </message>
    <message>
      <source>{name}（{parent}）</source>
      <translation>{name} ({parent})</translation>
    </message>
    <message>
      <source>Ⅰ级告警</source>
      <translation>Level I alarm</translation>
    </message>
    <message>
      <source>Ⅱ级告警</source>
      <translation>Level II alarm</translation>
    </message>
    <message>
      <source>Ⅲ级告警</source>
      <translation>Level III alarm</translation>
    </message>
    <message>
      <source>Ⅳ级告警</source>
      <translation>Level IV alarm</translation>
    </message>
    <message>
      <source>一老一小</source>
      <translation>Elderly &amp; children</translation>
    </message>
    <message>
      <source>一般</source>
      <translation>General</translation>
    </message>
    <message>
      <source>上报</source>
      <translation>Reported</translation>
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
      <source>信访</source>
      <translation>Petition</translation>
    </message>
    <message>
      <source>值守人员</source>
      <translation>Duty staff</translation>
    </message>
    <message>
      <source>停用</source>
      <translation>Out of service</translation>
    </message>
    <message>
      <source>其他</source>
      <translation>Other</translation>
    </message>
    <message>
      <source>冰雹</source>
      <translation>Hail</translation>
    </message>
    <message>
      <source>办结</source>
      <translation>Closed</translation>
    </message>
    <message>
      <source>区县及以上</source>
      <translation>District or higher</translation>
    </message>
    <message>
      <source>受理</source>
      <translation>Accepted</translation>
    </message>
    <message>
      <source>台风</source>
      <translation>Typhoon</translation>
    </message>
    <message>
      <source>启动中</source>
      <translation>Starting</translation>
    </message>
    <message>
      <source>告警</source>
      <translation>Alarm</translation>
    </message>
    <message>
      <source>在现场</source>
      <translation>On scene</translation>
    </message>
    <message>
      <source>处置</source>
      <translation>Handling</translation>
    </message>
    <message>
      <source>大雾</source>
      <translation>Fog</translation>
    </message>
    <message>
      <source>大风</source>
      <translation>Gale</translation>
    </message>
    <message>
      <source>安全隐患</source>
      <translation>Safety hazard</translation>
    </message>
    <message>
      <source>寒潮</source>
      <translation>Cold wave</translation>
    </message>
    <message>
      <source>已停止</source>
      <translation>Stopped</translation>
    </message>
    <message>
      <source>已回访</source>
      <translation>Followed up</translation>
    </message>
    <message>
      <source>已失败</source>
      <translation>Failed</translation>
    </message>
    <message>
      <source>已完成</source>
      <translation>Done</translation>
    </message>
    <message>
      <source>已派出</source>
      <translation>Dispatched</translation>
    </message>
    <message>
      <source>市政设施</source>
      <translation>Utilities</translation>
    </message>
    <message>
      <source>干旱</source>
      <translation>Drought</translation>
    </message>
    <message>
      <source>延迟</source>
      <translation>Lagging</translation>
    </message>
    <message>
      <source>弱信号</source>
      <translation>Weak signal</translation>
    </message>
    <message>
      <source>待命</source>
      <translation>Available</translation>
    </message>
    <message>
      <source>数据过期</source>
      <translation>Stale</translation>
    </message>
    <message>
      <source>暴雨</source>
      <translation>Rainstorm</translation>
    </message>
    <message>
      <source>暴雪</source>
      <translation>Snowstorm</translation>
    </message>
    <message>
      <source>未知网格</source>
      <translation>Unknown grid</translation>
    </message>
    <message>
      <source>来电来访</source>
      <translation>Calls &amp; visits</translation>
    </message>
    <message>
      <source>森林火险</source>
      <translation>Forest fire risk</translation>
    </message>
    <message>
      <source>森林防火</source>
      <translation>Forest fire</translation>
    </message>
    <message>
      <source>橙色</source>
      <translation>Orange</translation>
    </message>
    <message>
      <source>橙色预警</source>
      <translation>Orange warning</translation>
    </message>
    <message>
      <source>正常</source>
      <translation>OK</translation>
    </message>
    <message>
      <source>气象</source>
      <translation>Weather</translation>
    </message>
    <message>
      <source>汛情</source>
      <translation>Flood</translation>
    </message>
    <message>
      <source>沙尘暴</source>
      <translation>Sandstorm</translation>
    </message>
    <message>
      <source>治安</source>
      <translation>Public security</translation>
    </message>
    <message>
      <source>洪水</source>
      <translation>River flood</translation>
    </message>
    <message>
      <source>派遣</source>
      <translation>Dispatched</translation>
    </message>
    <message>
      <source>渔船管控</source>
      <translation>Fishing vessels</translation>
    </message>
    <message>
      <source>演练</source>
      <translation>Drill</translation>
    </message>
    <message>
      <source>演练脚本</source>
      <translation>Drill script</translation>
    </message>
    <message>
      <source>火灾</source>
      <translation>Fire</translation>
    </message>
    <message>
      <source>物联感知</source>
      <translation>IoT sensor</translation>
    </message>
    <message>
      <source>物资</source>
      <translation>Supplies</translation>
    </message>
    <message>
      <source>特别重大</source>
      <translation>Most severe</translation>
    </message>
    <message>
      <source>环境卫生</source>
      <translation>Sanitation</translation>
    </message>
    <message>
      <source>督办</source>
      <translation>Supervision</translation>
    </message>
    <message>
      <source>矛盾纠纷</source>
      <translation>Dispute</translation>
    </message>
    <message>
      <source>社区</source>
      <translation>Community</translation>
    </message>
    <message>
      <source>红色</source>
      <translation>Red</translation>
    </message>
    <message>
      <source>红色督办</source>
      <translation>Red supervision</translation>
    </message>
    <message>
      <source>红色预警</source>
      <translation>Red warning</translation>
    </message>
    <message>
      <source>网格</source>
      <translation>Grid</translation>
    </message>
    <message>
      <source>网格通</source>
      <translation>Grid app</translation>
    </message>
    <message>
      <source>蓝色</source>
      <translation>Blue</translation>
    </message>
    <message>
      <source>蓝色督办</source>
      <translation>Blue supervision</translation>
    </message>
    <message>
      <source>蓝色预警</source>
      <translation>Blue warning</translation>
    </message>
    <message>
      <source>街道</source>
      <translation>Street</translation>
    </message>
    <message>
      <source>视频分析</source>
      <translation>Video analytics</translation>
    </message>
    <message>
      <source>视频智能</source>
      <translation>Video AI</translation>
    </message>
    <message>
      <source>超时</source>
      <translation>Overdue</translation>
    </message>
    <message>
      <source>超时督办</source>
      <translation>Overdue</translation>
    </message>
    <message>
      <source>车辆</source>
      <translation>Vehicle</translation>
    </message>
    <message>
      <source>较大</source>
      <translation>Larger</translation>
    </message>
    <message>
      <source>运行中</source>
      <translation>Running</translation>
    </message>
    <message>
      <source>道路结冰</source>
      <translation>Road icing</translation>
    </message>
    <message>
      <source>重启中</source>
      <translation>Restarting</translation>
    </message>
    <message>
      <source>重大</source>
      <translation>Major</translation>
    </message>
    <message>
      <source>队伍</source>
      <translation>Team</translation>
    </message>
    <message>
      <source>防汛</source>
      <translation>Flood</translation>
    </message>
    <message>
      <source>随手拍</source>
      <translation>Citizen photo</translation>
    </message>
    <message>
      <source>雷电</source>
      <translation>Lightning</translation>
    </message>
    <message>
      <source>霜冻</source>
      <translation>Frost</translation>
    </message>
    <message>
      <source>霾</source>
      <translation>Haze</translation>
    </message>
    <message>
      <source>预警</source>
      <translation>Public warning</translation>
    </message>
    <message>
      <source>风暴潮</source>
      <translation>Storm surge</translation>
    </message>
    <message>
      <source>高温</source>
      <translation>Heat</translation>
    </message>
    <message>
      <source>黄色</source>
      <translation>Yellow</translation>
    </message>
    <message>
      <source>黄色督办</source>
      <translation>Yellow supervision</translation>
    </message>
    <message>
      <source>黄色预警</source>
      <translation>Yellow warning</translation>
    </message>
  </context>
  <context>
    <name>labels.stage</name>
    <message>
      <source>初情研判</source>
      <translation>Initial assessment</translation>
    </message>
    <message>
      <source>到场</source>
      <translation>Arrival</translation>
    </message>
    <message>
      <source>办结</source>
      <translation>Due</translation>
    </message>
    <message>
      <source>响应</source>
      <translation>Response</translation>
    </message>
    <message>
      <source>完成</source>
      <translation>Done</translation>
    </message>
  </context>
</TS>