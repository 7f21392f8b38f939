"""Word pools the corpus generator draws from: a semester of courses.

Each course has a folder, a language and terms (``(name, slug)`` pairs, the
slug naming files). Phrase pools are per language; the generator combines
them, so the same seed always gives the same notes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Course:
    """One course of the semester: a folder of notes on a set of terms."""

    folder: str
    chinese: bool
    exam: str
    """What the exam is called in headings (``SAP``, ``期末``, ``Final``)."""
    terms: tuple[str, ...]


# Notes take courses in turn, so even five notes mix Chinese and English.
COURSES: tuple[Course, ...] = (
    Course("cloud/networking", True, "SAP", (
        "VPC Link", "Virtual Private Gateway", "Transit Gateway", "NAT Gateway", "Internet Gateway",
        "PrivateLink", "Direct Connect", "Route 53", "CloudFront", "Global Accelerator", "ALB", "NLB",
        "VPC Peering", "Client VPN", "Site-to-Site VPN", "Security Group", "Network ACL", "Elastic IP",
    )),
    Course("biology", False, "Final", (
        "Mitosis", "Meiosis", "ATP synthase", "Ribosome", "Mitochondrion", "Chloroplast", "Golgi apparatus",
        "Endoplasmic reticulum", "Glycolysis", "Krebs cycle", "Osmosis", "Active transport", "DNA polymerase",
        "Transcription", "Translation", "Enzyme inhibition",
    )),
    Course("计算机网络", True, "期末", (
        "TCP", "UDP", "QUIC", "HTTP/2", "DNS", "ARP", "BGP", "OSPF", "子网掩码", "NAT", "VLAN",
        "TLS握手", "拥塞控制", "滑动窗口", "三次握手", "四次挥手", "CDN", "负载均衡",
    )),
    Course("economics", False, "Midterm", (
        "Inflation", "GDP", "Price elasticity", "Opportunity cost", "Comparative advantage", "Monopoly",
        "Oligopoly", "Marginal utility", "Fiscal policy", "Monetary policy", "Exchange rate", "Tariff",
        "Consumer surplus", "Deadweight loss", "Moral hazard", "Adverse selection",
    )),
    Course("cloud/compute", True, "SAP", (
        "Lambda", "Fargate", "ECS", "EKS", "EC2 Auto Scaling", "Elastic Beanstalk", "App Runner",
        "Step Functions", "API Gateway", "SQS", "SNS", "EventBridge", "Kinesis", "Batch", "Outposts",
    )),
    Course("操作系统", True, "期末", (
        "进程", "线程", "协程", "虚拟内存", "页表", "TLB", "死锁", "信号量", "互斥锁", "自旋锁",
        "调度算法", "中断", "系统调用", "文件描述符", "写时复制", "内存映射",
    )),
    Course("networking-en", False, "Quiz", (
        "TCP", "UDP", "Subnet mask", "Default gateway", "DHCP", "DNS resolver", "Spanning Tree",
        "Link aggregation", "MTU", "Anycast", "Multicast", "Port forwarding", "IPv6 SLAAC", "ICMP",
    )),
    Course("数据库", True, "期中", (
        "B+树", "哈希索引", "聚簇索引", "事务", "MVCC", "隔离级别", "两阶段锁", "范式", "分库分表",
        "主从复制", "WAL", "Redo Log", "Undo Log", "乐观锁", "悲观锁", "覆盖索引",
    )),
    Course("cloud/storage", True, "SAP", (
        "S3", "EBS", "EFS", "FSx", "Storage Gateway", "DynamoDB", "RDS", "Aurora", "ElastiCache",
        "Redshift", "S3 Glacier", "DataSync", "Snowball", "Backup", "KMS", "Secrets Manager",
    )),
)

# ------------------------------------------------------------------ Chinese

ZH_ROLES = (
    "负责", "用于", "专门实现", "主要保证", "核心作用是", "可以自动完成", "只能处理", "默认提供",
)
ZH_OBJECTS = (
    "流量转发", "私有通信", "数据持久化", "弹性扩展", "访问控制", "故障隔离", "负载均衡", "会话保持",
    "加密传输", "状态同步", "跨区域复制", "高可用部署", "请求路由", "资源隔离", "成本优化", "日志审计",
    "并发控制", "缓存命中", "顺序保证", "批量处理", "异步解耦", "权限校验", "版本回滚", "冷热分层",
)
ZH_QUALITIES = (
    "托管式", "单向", "双向", "无状态", "有状态", "强一致", "最终一致", "按需计费", "全局", "区域级",
    "低延迟", "高吞吐", "可重试", "幂等", "只读", "可扩展",
)
ZH_CONDITIONS = (
    "当{a}需要访问{b}时", "若{a}部署在私有子网中", "在混合云场景下", "默认情况下", "高并发时",
    "发生故障切换时", "跨账户访问时", "数据量超过单机容量时", "对延迟敏感的业务中", "考试题干出现“{b}”时",
)
ZH_RESULTS = (
    "无需额外配置{b}", "必须配合{b}使用", "延迟显著降低", "成本更低但吞吐受限", "可以避免公网暴露",
    "需要手动维护路由表", "由平台自动处理扩容", "会退化为串行执行", "只能在同一区域内生效",
    "是常见的陷阱选项", "需要在{b}中显式开启", "不会影响已有连接",
)
ZH_ANALOGIES = (
    "就像同一栋楼里的两个部门，走内部走廊即可", "类似快递中转站，只负责转发不负责存储",
    "好比图书馆的索引卡，先查卡片再找书", "相当于给每个房间单独配一把钥匙",
    "像高速公路的收费站，排队但有序", "如同备用电源，平时不用、故障时接管",
)
ZH_ORDINALS = "一二三四五六七八九十"
ZH_DIMENSIONS = (
    "主要用途", "所属服务", "流量方向", "连接对象", "安全特性", "配置位置", "使用场景", "典型应用",
    "计费方式", "一致性", "扩展方式", "故障影响", "性能特点", "管理成本",
)
ZH_SECTION_TOPICS = (
    "功能定位", "核心区别", "工作机制", "使用场景", "常见误区", "配置要点", "性能对比", "底层原理",
    "托管形态", "通信逻辑", "安全模型", "故障处理",
)

# ------------------------------------------------------------------ English

EN_VERBS = (
    "converts", "regulates", "transports", "stores", "breaks down", "controls", "measures",
    "limits", "amplifies", "balances", "separates", "replicates",
)
EN_OBJECTS = (
    "energy into usable work", "the flow of information", "supply and demand", "signals across the boundary",
    "molecules against a gradient", "long-run growth", "the cost of the next best choice", "packets between networks",
    "genetic material between generations", "prices in the short run", "traffic to the nearest node",
    "errors before they spread",
)
EN_RESULTS = (
    "which is why it appears in almost every exam", "so it only works when {b} is present",
    "and the effect reverses when {b} changes", "unlike {b}, which does the opposite",
    "so the rate depends on temperature", "which keeps the system stable", "but only in the short run",
    "at the cost of extra overhead",
)
EN_CONDITIONS = (
    "When {a} meets {b}", "Under normal conditions", "In the long run", "If {a} is blocked",
    "During peak load", "In a closed economy", "Inside the cell", "On a shared link",
)
EN_DIMENSIONS = (
    "Purpose", "Location", "Direction", "Speed", "Cost", "Energy needed", "Typical example",
    "Controlled by", "Output", "Failure mode", "Scope", "Measured in",
)
EN_SECTION_TOPICS = (
    "Overview", "How it works", "Comparison", "Common mistakes", "Worked example", "Mechanism",
    "When to use it", "Background", "Definitions", "Exam traps",
)
